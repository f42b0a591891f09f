// Logging out takes the scanner's data off this phone: the roster and the scans in
// IndexedDB, the kept pages and the service worker. (The server also answers the
// logout with Clear-Site-Data; this covers browsers that ignore it.)

import * as store from "./store.js";

async function forgetEverything() {
  await store.forget();
  if ("caches" in window) {
    for (const name of await caches.keys()) {
      if (name.startsWith("school-scanner")) await caches.delete(name);
    }
  }
  if ("serviceWorker" in navigator) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) {
      await registration.unregister();
    }
  }
}

for (const form of document.querySelectorAll("form.logout")) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.forgotten) return;
    event.preventDefault();
    const done = () => {
      form.dataset.forgotten = "true";
      form.submit();
    };
    forgetEverything().then(done, done);
  });
}
