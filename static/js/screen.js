// The wall's screen mode: one card at a time, the next one every few seconds, for the big
// screen of the place publique (no mouse). After a full round the page reloads, so newly
// accepted initiatives appear. Without script, the page's refresh does the same, card by card.
(function () {
  "use strict";
  const body = document.body;
  const cards = Array.from(document.querySelectorAll(".screen-card[data-index]"));
  const position = document.querySelector(".screen-position");
  const seconds = Number(body.dataset.seconds) || 12;
  if (cards.length < 2) {
    window.setTimeout(() => window.location.reload(), seconds * 5000);
    return;
  }
  let current = Math.max(0, cards.findIndex((card) => !card.hidden));
  let shownSinceLoad = 0;
  function show(index) {
    cards[current].hidden = true;
    cards[current].classList.remove("is-current");
    current = index;
    cards[current].hidden = false;
    cards[current].classList.add("is-current");
    if (position) position.textContent = `${current + 1} / ${cards.length}`;
  }
  const interval = Number(new URLSearchParams(window.location.search).get("interval")) || seconds;
  window.setInterval(() => {
    shownSinceLoad += 1;
    if (shownSinceLoad >= cards.length * 3) {
      const url = new URL(window.location.href);
      url.searchParams.set("at", String((current + 1) % cards.length));
      window.location.replace(url);
      return;
    }
    show((current + 1) % cards.length);
  }, interval * 1000);
  // The keyboard still works for whoever stands by the screen.
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight" || event.key === " ") show((current + 1) % cards.length);
    if (event.key === "ArrowLeft") show((current - 1 + cards.length) % cards.length);
  });
})();
