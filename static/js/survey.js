// The survey saves as you go: a moment after each change, the answers so far are sent to
// the draft address. Without JavaScript (or when a save fails) nothing is lost: the
// form's own button sends everything.
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form || !window.fetch) return;
  var status = document.getElementById("survey-status");
  var timer = null;
  var sending = false;
  var again = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  function save() {
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    say(form.dataset.saving);
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) {
            say(body.message);
          } else if (response.status === 409) {
            window.location.reload();
          } else {
            say(body.message || form.dataset.failed);
          }
        });
      })
      .catch(function () {
        say(form.dataset.failed);
      })
      .then(function () {
        sending = false;
        if (again) {
          again = false;
          save();
        }
      });
  }

  function later(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("change", function () {
    later(300);
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") later(1500);
  });
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
  });
})();
