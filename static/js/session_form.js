// The session form: "Add a speaker row" adds a row here instead of a round trip to the
// server (which is what the button does without this script).
(function () {
  "use strict";
  var button = document.querySelector("[data-add-speaker-row]");
  var rows = document.querySelector("[data-speaker-rows]");
  if (!button || !rows) return;
  var MAX = 30;
  button.addEventListener("click", function (event) {
    var all = rows.querySelectorAll(".speaker-row");
    if (!all.length || all.length >= MAX) return; // let the server say so
    event.preventDefault();
    var last = all[all.length - 1];
    var row = last.cloneNode(true);
    var index = all.length;
    row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/^speakers-\d+-/, "speakers-" + index + "-"));
      });
    });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    row.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
    rows.appendChild(row);
    row.querySelector("select").focus();
  });
})();
