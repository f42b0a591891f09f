// Registration form: show only the sessions and meals of the days ticked, and keep
// members-only sessions for members. Without JavaScript everything stays visible and
// the server applies the same rules.
(function () {
  "use strict";
  var form = document.querySelector(".registration-form");
  if (!form) return;

  function selectedDays() {
    var days = {};
    form.querySelectorAll("input[name=days]:checked").forEach(function (box) {
      days[box.value] = true;
    });
    return days;
  }

  function isMember() {
    var checked = form.querySelector("input[name=category]:checked");
    return checked && checked.value === "member";
  }

  function refresh() {
    var days = selectedDays();
    form.querySelectorAll("[data-day]").forEach(function (node) {
      var shown = !!days[node.getAttribute("data-day")];
      node.hidden = !shown;
      if (!shown) {
        node.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
        if (node.matches("label")) {
          var box = node.querySelector("input");
          if (box) box.checked = false;
        }
      }
    });
    var member = isMember();
    form.querySelectorAll("[data-members-only]").forEach(function (node) {
      node.hidden = !member;
      var box = node.querySelector("input"); // none on a card that is not a choice
      if (box && !member) box.checked = false;
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "days" || event.target.name === "category") refresh();
  });
  refresh();

  // After a refused submit the summary takes the focus, so that a screen reader reads it
  // at once (a role="alert" already in the page as it loads is announced by some readers,
  // not by others); its links then move the focus to their field (a link alone only
  // scrolls). Without JavaScript it is still the form's first thing, its links still lead
  // to the fields.
  function focusField(target) {
    if (!target) return;
    var box = target.matches("input, select, textarea")
      ? target
      : target.querySelector("[aria-invalid=true], input, select, textarea") || target;
    box.scrollIntoView({ block: "center" });
    box.focus({ preventScroll: true });
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      event.preventDefault();
      focusField(document.getElementById(link.getAttribute("href").slice(1)));
    });
    // Whole and at the top if it was not all in view (the browser's own scroll on focus
    // would leave it at the bottom of a phone's screen).
    summary.focus({ preventScroll: true });
    var box = summary.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) summary.scrollIntoView({ block: "start" });
  }
})();
