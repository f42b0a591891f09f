// The badge page at the door: keep the screen on while it is shown (where the browser
// offers a screen wake lock), so the QR code is not lost to a dimmed phone in the queue.
(function () {
  "use strict";
  if (!("wakeLock" in navigator)) return;
  var lock = null;
  function hold() {
    if (document.visibilityState !== "visible" || lock) return;
    navigator.wakeLock.request("screen").then(function (sentinel) {
      lock = sentinel;
      lock.addEventListener("release", function () { lock = null; });
    }).catch(function () { /* refused (battery saver, no gesture yet): nothing to do */ });
  }
  document.addEventListener("visibilitychange", hold);
  hold();
})();
