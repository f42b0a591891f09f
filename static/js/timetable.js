// The timetable editor: gestures on the grid become JSON posts to the organiser's
// endpoints (the same services as the session form); the grid is then reloaded from
// the server, so what is shown is always what was saved. Positions are CSS classes
// (tt-rN row, tt-sN span, tt-cN column): the page's CSP allows no inline style.
(function () {
  "use strict";
  var STEP = 15;
  var status = document.getElementById("tt-status");
  var scroller = document.querySelector(".tt-scroll");
  var addForm = document.getElementById("tt-add-form");
  var addPanel = document.getElementById("tt-add");
  var dialog = document.getElementById("tt-actions");
  if (!scroller || !addForm) return;
  var csrf = addForm.querySelector("[name=csrf_token]").value;
  var lastDuration = 90;
  var current = null; // the session the dialog acts on

  function grid() { return document.getElementById("tt-grid"); }
  function rooms() { return JSON.parse(grid().dataset.rooms); }
  function minutes(hhmm) { var p = hhmm.split(":"); return +p[0] * 60 + +p[1]; }
  function hhmm(total) {
    total = Math.max(0, Math.min(total, 24 * 60 - 1));
    var h = Math.floor(total / 60), m = total % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  function roomName(key) {
    var index = rooms().indexOf(key);
    var head = grid().querySelectorAll(".tt-head")[index + 1];
    return head ? head.textContent.trim() : key;
  }

  function say(message, isError) {
    status.textContent = message;
    status.className = "flash" + (isError ? " flash-error" : "");
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return { message: response.statusText }; })
        .then(function (data) { data.ok = response.ok; return data; });
    }).catch(function () { return { ok: false, message: scroller.dataset.offline || "Network error" }; });
  }

  function errorText(data) {
    var parts = [data.message];
    if (data.errors) Object.keys(data.errors).forEach(function (k) { parts.push(data.errors[k].join("; ")); });
    return parts.join(" ");
  }

  var generation = 0; // a reload answered after a later one is dropped
  function reload(focusId) {
    var mine = ++generation;
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (mine !== generation) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("tt-grid");
        if (fresh) grid().replaceWith(fresh);
        enhance();
        if (focusId) {
          var el = document.getElementById("s" + focusId);
          if (el) el.focus({ preventScroll: false });
        }
      });
  }

  function enhance() {
    grid().querySelectorAll(".tt-menu").forEach(function (b) { b.hidden = false; });
  }

  // -- positions

  function pos(el) {
    var get = function (prefix) {
      var m = el.className.match(new RegExp("\\btt-" + prefix + "(\\d+)\\b"));
      return m ? +m[1] : 1;
    };
    return { row: get("r"), span: get("s"), col: get("c") };
  }
  function setPos(el, p) {
    el.className = el.className.replace(/\btt-[rsc]\d+\b/g, "").replace(/\s+/g, " ").trim() +
      " tt-r" + p.row + " tt-s" + p.span + " tt-c" + p.col;
  }
  function clamp(p) {
    var rows = +grid().dataset.rows, cols = rooms().length;
    p.span = Math.max(1, Math.min(p.span, rows));
    p.row = Math.max(2, Math.min(p.row, rows + 2 - p.span));
    p.col = Math.max(2, Math.min(p.col, cols + 1));
    return p;
  }
  function placeOf(p) {
    var first = minutes(grid().dataset.first);
    var start = first + (p.row - 2) * STEP;
    return { date: grid().dataset.day, start: hhmm(start), end: hhmm(start + p.span * STEP), room: rooms()[p.col - 2] || "" };
  }
  function describe(el, place) {
    return el.dataset.title + ": " + place.start + "–" + place.end + ", " + roomName(place.room);
  }

  function commit(el, original) {
    var p = pos(el);
    if (original && p.row === original.row && p.span === original.span && p.col === original.col) {
      el.classList.remove("tt-pending");
      return;
    }
    var place = placeOf(p);
    el.classList.remove("tt-pending");
    post(el.dataset.placeUrl, place).then(function (data) {
      if (data.ok) {
        reload(el.dataset.id).then(function () { say(data.message, false); });
      } else {
        if (original) setPos(el, original);
        el.classList.add("tt-refused");
        say(errorText(data), true);
        setTimeout(function () { el.classList.remove("tt-refused"); }, 2500);
      }
    });
  }

  // -- mouse and touch: drag to move, drag the bottom edge to resize

  var drag = null;
  scroller.addEventListener("pointerdown", function (event) {
    var el = event.target.closest(".tt-session");
    if (!el || event.button !== 0 || event.target.closest(".tt-menu")) return;
    var head = grid().querySelectorAll(".tt-head")[1];
    var time = grid().querySelector(".tt-time");
    drag = {
      el: el, x: event.clientX, y: event.clientY, moved: false,
      resize: !!event.target.closest(".tt-resize"),
      original: pos(el),
      rowHeight: time.getBoundingClientRect().height,
      colWidth: head.getBoundingClientRect().width,
    };
  });
  scroller.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) < 5 && Math.abs(dy) < 5) return;
    if (!drag.moved) {
      // Captured only once it moves: a plain click still reaches the title's link.
      drag.el.setPointerCapture(event.pointerId);
      drag.moved = true;
    }
    drag.el.classList.add("tt-dragging");
    var rows = Math.round(dy / drag.rowHeight), cols = Math.round(dx / drag.colWidth);
    var p = { row: drag.original.row, span: drag.original.span, col: drag.original.col };
    if (drag.resize) p.span += rows; else { p.row += rows; p.col += cols; }
    setPos(drag.el, clamp(p));
  });
  function endDrag(event, cancelled) {
    if (!drag) return;
    var d = drag;
    drag = null;
    d.el.classList.remove("tt-dragging");
    if (!d.moved) return;
    d.el.dataset.dragged = "1"; // the click that follows a drag opens nothing
    if (cancelled) setPos(d.el, d.original); else commit(d.el, d.original);
  }
  // A session's title is a link: the browser's own link dragging would take the pointer.
  scroller.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".tt-session")) event.preventDefault();
  });
  scroller.addEventListener("pointerup", function (e) { endDrag(e, false); });
  scroller.addEventListener("pointercancel", function (e) { endDrag(e, true); });

  scroller.addEventListener("click", function (event) {
    var session = event.target.closest(".tt-session");
    if (session && session.dataset.dragged) {
      delete session.dataset.dragged;
      event.preventDefault();
      return;
    }
    var menu = event.target.closest(".tt-menu");
    if (menu) { openDialog(menu.closest(".tt-session")); return; }
    var cell = event.target.closest(".tt-cell");
    if (cell) {
      event.preventDefault();
      startAdding(cell.dataset.start, cell.dataset.room);
    }
  });

  // -- adding

  function startAdding(start, room) {
    addPanel.open = true;
    addForm.elements.start.value = start;
    addForm.elements.end.value = hhmm(minutes(start) + lastDuration);
    addForm.elements.room.value = room;
    addForm.elements.title_fr.focus();
  }

  addForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var f = addForm.elements;
    var body = {
      date: f.date.value, title_fr: f.title_fr.value, kind: f.kind.value, start: f.start.value,
      end: f.end.value, room: f.room.value, capacity: f.capacity.value,
      requires_registration: f.requires_registration.checked,
    };
    post(addForm.action, body).then(function (data) {
      if (!data.ok) { say(errorText(data), true); f.title_fr.focus(); return; }
      lastDuration = Math.max(STEP, minutes(body.end) - minutes(body.start));
      f.title_fr.value = "";
      // The next session of a slot usually goes in the next room: type, Enter, type…
      if (f.room.selectedIndex > 0 && f.room.selectedIndex < f.room.options.length - 1) {
        f.room.selectedIndex += 1;
      }
      reload(null).then(function () { say(data.message, false); f.title_fr.focus(); });
    });
  });

  // -- keyboard: arrows move, shift+arrows resize, Enter saves, Escape undoes, D duplicates

  var pending = null;
  function schedule(el) {
    if (!pending || pending.el !== el) {
      if (pending) flush();
      pending = { el: el, original: pos(el), timer: null };
    }
    clearTimeout(pending.timer);
    pending.timer = setTimeout(flush, 1000);
  }
  function flush() {
    if (!pending) return;
    var p = pending;
    pending = null;
    clearTimeout(p.timer);
    commit(p.el, p.original);
  }
  scroller.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!el.classList || !el.classList.contains("tt-session")) return;
    var p = pos(el), key = event.key;
    if (key === "Enter") {
      event.preventDefault();
      if (pending && pending.el === el) flush(); else el.querySelector("a").click();
      return;
    }
    if (key === "Escape" && pending && pending.el === el) {
      clearTimeout(pending.timer);
      setPos(el, pending.original);
      el.classList.remove("tt-pending");
      pending = null;
      say(describe(el, placeOf(pos(el))), false);
      return;
    }
    if (key === "d" || key === "D") { event.preventDefault(); flush(); openDialog(el); return; }
    var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (!moves[key]) return;
    event.preventDefault();
    schedule(el);
    if (event.shiftKey) {
      if (moves[key][0] === 0) return;
      p.span += moves[key][0];
    } else {
      p.row += moves[key][0];
      p.col += moves[key][1];
    }
    setPos(el, clamp(p));
    el.classList.add("tt-pending");
    el.scrollIntoView({ block: "nearest", inline: "nearest" });
    say(describe(el, placeOf(pos(el))) + " …", false);
  });
  scroller.addEventListener("focusout", function (event) {
    if (pending && pending.el === event.target) flush();
  });

  // -- duplicating

  function openDialog(el) {
    current = el;
    var place = placeOf(pos(el));
    document.getElementById("tt-actions-title").textContent = describe(el, place);
    document.getElementById("tt-actions-edit").href = el.querySelector("a").href;
    var busy = {};
    grid().querySelectorAll(".tt-session:not(.is-cancelled)").forEach(function (other) {
      var o = placeOf(pos(other));
      if (o.start < place.end && place.start < o.end) busy[o.room] = true;
    });
    dialog.querySelectorAll("[name=rooms]").forEach(function (box) {
      box.checked = false;
      box.disabled = !!busy[box.value];
    });
    var slotStart = dialog.querySelector("[name=start]");
    slotStart.value = hhmm(minutes(place.end));
    document.getElementById("tt-dialog-status").textContent = "";
    dialog.showModal();
    var first = dialog.querySelector("[name=rooms]:not([disabled])") || slotStart;
    first.focus();
  }

  function duplicate(body) {
    var el = current;
    post(el.dataset.duplicateUrl, body).then(function (data) {
      var inDialog = document.getElementById("tt-dialog-status");
      if (!data.ok) { say(errorText(data), true); inDialog.textContent = errorText(data); return; }
      inDialog.textContent = "";
      dialog.close();
      reload(data.id).then(function () { say(data.message, false); });
    });
  }
  document.getElementById("tt-dup-rooms").addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = [];
    this.querySelectorAll("[name=rooms]:checked").forEach(function (b) { chosen.push(b.value); });
    duplicate({ rooms: chosen });
  });
  document.getElementById("tt-dup-slot").addEventListener("submit", function (event) {
    event.preventDefault();
    duplicate({ slot: true, date: this.elements.date.value, start: this.elements.start.value });
  });
  dialog.addEventListener("close", function () { if (current) current.focus(); });

  enhance();
})();
