// What tests/test_browser_accessibility.py checks on a page, from the DOM the browser
// built and the styles it computed. Returns a list of problems, one string each.
(expectedLang) => {
  const problems = [];
  const describe = (el) => {
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${
      el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : ""
    }> "${text}"`;
  };
  const rendered = (el) => {
    const style = getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden" && el.getClientRects().length > 0;
  };

  // Language and landmarks.
  const lang = document.documentElement.getAttribute("lang");
  if (lang !== expectedLang) problems.push(`<html lang="${lang}">, expected "${expectedLang}"`);
  const mains = document.querySelectorAll("main, [role=main]");
  if (mains.length !== 1) problems.push(`${mains.length} main landmarks`);
  const h1s = document.querySelectorAll("h1");
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements`);

  // Headings never skip a level going down (h2 then h4 leaves the reader lost).
  let previous = 0;
  for (const heading of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(heading.tagName[1]);
    if (level > previous + 1) problems.push(`heading skips from h${previous} to ${describe(heading)}`);
    previous = level;
  }
  // The page's title is its largest heading: on a phone, "1. About you" drawn bigger
  // than "Register" read as the page's title.
  const title = h1s.length === 1 && rendered(h1s[0]) ? parseFloat(getComputedStyle(h1s[0]).fontSize) : null;
  for (const heading of document.querySelectorAll("h2, h3, h4, h5, h6")) {
    const seen = rendered(heading) && heading.getBoundingClientRect().width > 1; // not visually-hidden
    if (title && seen && parseFloat(getComputedStyle(heading).fontSize) > title) {
      problems.push(`${describe(heading)} is drawn larger than the h1`);
    }
  }

  // Names: the text a screen reader announces for an element.
  const labelledBy = (el) =>
    (el.getAttribute("aria-labelledby") || "")
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map((ref) => ref.textContent.trim())
      .join(" ")
      .trim();
  const contentName = (el) =>
    [
      el.textContent,
      ...Array.from(el.querySelectorAll("img[alt]"), (img) => img.alt),
      ...Array.from(el.querySelectorAll("svg [aria-label], svg[aria-label]"), (s) => s.getAttribute("aria-label")),
    ]
      .join(" ")
      .trim();

  // Every form control has a label: label[for], a wrapping label, aria-label(ledby).
  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea"
  );
  for (const control of controls) {
    const byFor = control.id
      ? Array.from(document.querySelectorAll("label"))
          .filter((l) => l.htmlFor === control.id)
          .map((l) => l.textContent.trim())
          .join(" ")
      : "";
    const wrapping = control.closest("label") ? control.closest("label").textContent.trim() : "";
    const name = [control.getAttribute("aria-label") || "", labelledBy(control), byFor, wrapping]
      .join(" ")
      .trim();
    if (!name) problems.push(`form control without a label: <${control.tagName.toLowerCase()} name="${control.name}">`);
  }

  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.getAttribute("src")}`);
  }

  const actionable = document.querySelectorAll(
    "a[href], button, [role=button], input[type=submit], input[type=button], input[type=reset]"
  );
  for (const el of actionable) {
    const name = [
      el.getAttribute("aria-label") || "",
      labelledBy(el),
      contentName(el),
      el.value && el.tagName === "INPUT" ? el.value : "",
      el.getAttribute("title") || "",
    ]
      .join(" ")
      .trim();
    if (!name) problems.push(`link or button without a name: ${el.outerHTML.slice(0, 80)}`);
  }

  // Contrast (WCAG 2 relative luminance) of every piece of rendered text against the
  // background it sits on. A canvas turns any CSS colour syntax into sRGB bytes.
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "#000";
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const background = (el) => {
    // Backgrounds from the element up to the root, composed from the bottom (white canvas).
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none" && node !== document.documentElement) return null;
      const colour = rgba(style.backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const el = text.parentElement;
    if (!text.data.trim() || seen.has(el) || !rendered(el)) continue;
    if (["SCRIPT", "STYLE", "NOSCRIPT", "OPTION", "TITLE"].includes(el.tagName)) continue;
    seen.add(el);
    if (el.closest("[aria-hidden=true], .visually-hidden, [disabled]")) continue;
    const bg = background(el);
    if (bg === null) continue;
    const style = getComputedStyle(el);
    const fg = over(rgba(style.color), bg);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    const measured = ratio(fg, bg);
    if (measured < needed) {
      problems.push(
        `contrast ${measured.toFixed(2)} < ${needed} for ${describe(el)} (${style.color} on rgb(${bg
          .slice(0, 3)
          .map(Math.round)
          .join(",")}))`
      );
    }
  }
  return problems;
}
