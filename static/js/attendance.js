// The organisers' attendance page: fetch the page again every few seconds and put its
// fresh numbers in place, unless paused, hidden, or in use (keyboard focus inside).
(function () {
  "use strict";
  var region = document.getElementById("attendance-live");
  var status = document.getElementById("attendance-status");
  var toggle = document.getElementById("attendance-pause");
  if (!region || !status || !toggle || !window.fetch || !window.DOMParser) {
    return;
  }
  var every = (parseInt(region.getAttribute("data-refresh"), 10) || 30) * 1000;
  var paused = false;
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.setAttribute("aria-pressed", paused ? "true" : "false");
    toggle.textContent = toggle.getAttribute(paused ? "data-resume" : "data-pause");
    if (!paused) {
      refresh();
    }
  });

  function refresh() {
    if (paused || document.hidden || region.contains(document.activeElement)) {
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("no fresh page");
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("attendance-live");
        var freshStatus = page.getElementById("attendance-status");
        if (!fresh || !freshStatus) {
          throw new Error("no fresh numbers");
        }
        var open = Array.prototype.map.call(region.querySelectorAll("details[open]"), function (d) {
          return d.id;
        });
        region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes));
        open.forEach(function (id) {
          var details = document.getElementById(id);
          if (details) {
            details.open = true;
          }
        });
        status.textContent = freshStatus.textContent;
      })
      .catch(function () {
        status.textContent = status.getAttribute("data-failed");
      });
  }

  window.setInterval(refresh, every);
})();
