/* Reads an iCalendar file with libical (Debian libical-dev) as strict clients do: parse,
   run icalrestriction_check (RFC 5545 property counts per component) and print every
   X-LIC-ERROR libical attached. Exit 0 only when both find nothing. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
static int report(icalcomponent *c) {
  int n = 0; icalproperty *p; icalcomponent *sub;
  for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p; p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY), n++)
    printf("%s: %s\n", icalcomponent_kind_to_string(icalcomponent_isa(c)), icalproperty_get_xlicerror(p));
  for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub; sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
    n += report(sub);
  return n;
}
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); if (!f) return 3;
  fseek(f, 0, SEEK_END); long n = ftell(f); rewind(f);
  char *buf = malloc(n + 1); if (fread(buf, 1, n, f) != (size_t)n) return 3; buf[n] = 0;
  icalcomponent *c = icalparser_parse_string(buf);
  if (!c) { printf("parse failed\n"); return 2; }
  int ok = icalrestriction_check(c);
  int errors = report(c);
  printf("restriction_check=%d errors=%d\n", ok, errors);
  return ok && errors == 0 ? 0 : 1;
}
