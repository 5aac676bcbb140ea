// The participant page. Plain JavaScript, no library: the server (workshop/web/app.py) is the truth, this
// page shows its view and sends taps. Text from the room is only ever set as textContent, never as HTML.
"use strict";
(() => {
  const S = window.STRINGS;
  const initial = JSON.parse(document.getElementById("room").textContent);
  const room = initial.room;
  const app = document.getElementById("app");
  const PENDING = "promise-gap:pending";
  let view = initial.view;
  let shownFor = null;   // what the stage section on screen was built for: rebuilt (messages cleared) when it changes
  let parts = {};        // the elements of the stage section that are updated in place
  let events = null;
  let taps = Promise.resolve();  // votes are sent one after another, each from the dots the last one left
  let tapping = 0;
  const drafts = { idea: "", sentence: null };  // text typed survives the stage being moved away and back

  document.documentElement.lang = S.lang;
  document.title = room.company ? `${room.company} · ${S.title}` : S.title;

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  let ids = 0;
  const newId = (stem) => `${stem}-${++ids}`;

  function say(status, text, kind) {
    status.textContent = text || "";
    status.className = `${status.dataset.base || "status"} ${kind || ""}`;
  }

  // A refusal in the page's words (strings.js): the server sends its code and numbers, never a sentence.
  function refusal(data) {
    const sentence = data && data.refusal && Object.prototype.hasOwnProperty.call(S.refusals, data.refusal.code)
      ? S.refusals[data.refusal.code] : S.refusals.failed;
    return typeof sentence === "function" ? sentence(data.refusal) : sentence;
  }

  function status() {
    return el("p", { class: "status", role: "status", "aria-live": "polite" });
  }

  function csrf() {
    const found = document.cookie.match(/(?:^|;\s*)pg_csrf=([^;]*)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // -- sending: a submission keeps its key until the server answered, so a retry is stored once -----------

  function pending() {
    try { return JSON.parse(localStorage.getItem(PENDING) || "[]"); } catch (_) { return []; }
  }
  function keep(path, body) {
    try { localStorage.setItem(PENDING, JSON.stringify([...pending().filter((p) => p.body.key !== body.key), { path, body }])); } catch (_) { /* private mode: retried while the page stays open */ }
  }
  function done(key) {
    try { localStorage.setItem(PENDING, JSON.stringify(pending().filter((p) => p.body.key !== key))); } catch (_) { /* as above */ }
  }

  function connectionBack() {
    return new Promise((resolve) => {
      const again = () => { window.removeEventListener("online", again); clearTimeout(timer); resolve(); };
      const timer = setTimeout(again, 3000);
      window.addEventListener("online", again);
    });
  }

  async function submit(path, body, statusElement) {
    body.key = body.key || newKey();
    if (path !== "api/join") keep(path, body);
    let offline = false;
    for (;;) {
      let response;
      try {
        response = await fetch(path, {
          method: "POST", credentials: "same-origin", body: JSON.stringify(body),
          headers: { "content-type": "application/json", "x-csrf-token": csrf() },
        });
      } catch (_) {  // no answer at all: the Wi-Fi dropped, or the laptop is restarting
        offline = true;
        if (statusElement) say(statusElement, S.offline, "wait");
        await connectionBack();
        continue;
      }
      done(body.key);
      let data;
      try { data = await response.json(); } catch (_) { data = { ok: false }; }
      if (data.view) show(data.view);
      if (response.status === 401 && path !== "api/join") { rejoin(); }
      return { ok: response.ok, status: response.status, data, offline };
    }
  }

  function resendPending() {
    for (const { path, body } of pending()) submit(path, body, banner);
  }

  // -- live view --------------------------------------------------------------------------------------------

  const banner = el("p", { class: "banner", "data-base": "banner", role: "status", "aria-live": "polite" });

  function listen() {
    if (events) events.close();
    events = new EventSource("api/events");
    events.onopen = () => { if (banner.textContent === S.connectionLost) say(banner, ""); };
    events.onmessage = (message) => show(JSON.parse(message.data));
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) {  // refused (not joined any more), or the server is gone
        say(banner, S.connectionLost, "wait");
        setTimeout(checkStillJoined, 3000);
      } else {
        say(banner, S.connectionLost, "wait");
      }
    };
  }

  async function checkStillJoined() {
    try {
      const data = await (await fetch("api/me", { credentials: "same-origin" })).json();
      if (data.view && data.view.joined) { say(banner, ""); show(data.view); listen(); } else rejoin();
    } catch (_) {
      setTimeout(checkStillJoined, 3000);
    }
  }

  function rejoin() {
    if (events) { events.close(); events = null; }
    view = { joined: false };
    render();
    say(parts.joinStatus, S.refusals.notJoined, "error");
  }

  function show(next) {
    const before = view;
    view = next;
    if (before && before.allocation && next.allocation && tapping === 0 && shownFor === sectionKey(next)
        && JSON.stringify(before.allocation) !== JSON.stringify(next.allocation)) {
      say(parts.voteStatus, S.synced, "wait");
    }
    render();
  }

  function sectionKey(v) {
    if (!v.joined) return "join";
    if (v.stage === "voting") return `voting:${v.budget}:${v.ideas.map((i) => i.id).join(",")}`;
    return `${v.stage}`;
  }

  function render() {
    const key = sectionKey(view);
    if (key !== shownFor) {
      shownFor = key;
      parts = {};
      const section = view.notFound ? notFound() : !view.joined ? joinForm() : view.stage === "rating" ? ratingForm()
        : view.stage === "ideas" ? ideasForm() : view.stage === "voting" ? voteList() : waiting();
      const header = [banner, el("h1", { text: room.company || S.title })];
      if (view.joined) {
        const me = view.me.name || S.participant(view.me.number);
        header.push(el("p", { class: "who", text: S.you(me, view.me.department) }));
      }
      app.replaceChildren(...header, section);
    }
    update();
  }

  function update() {
    if (view.stage === "ideas" && parts.mine) showMine();
    if (view.stage === "voting" && parts.counts) showDots();
  }

  // -- the screens -----------------------------------------------------------------------------------------

  function joinForm() {
    const code = el("input", { type: "text", id: "code", autocomplete: "off", autocapitalize: "characters",
      spellcheck: "false", maxlength: 12, placeholder: S.codePlaceholder, required: true });
    const department = room.departments.length
      ? el("select", { id: "department", required: true },
        el("option", { value: "", text: S.chooseDepartment }),
        ...room.departments.map((d) => el("option", { value: d, text: d })))
      : el("input", { type: "text", id: "department", maxlength: 60, required: true });
    const name = el("input", { type: "text", id: "name", autocomplete: "nickname", maxlength: room.nameMax,
      "aria-describedby": "name-hint" });
    const joinStatus = status();
    const button = el("button", { type: "submit", class: "primary", text: S.join });
    const form = el("form", { novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      if (!code.value.trim()) return say(joinStatus, S.missingCode, "error");
      if (!department.value.trim()) return say(joinStatus, S.missingDepartment, "error");
      button.disabled = true;
      say(joinStatus, S.joining, "wait");
      const result = await submit("api/join", { code: code.value, department: department.value, name: name.value }, joinStatus);
      button.disabled = false;
      if (result.ok) { listen(); resendPending(); say(banner, ""); return; }
      say(joinStatus, refusal(result.data), "error");
    } },
    el("p", { text: S.joinIntro }),
    el("label", { for: "code", text: S.code }), code,
    el("label", { for: "department", text: S.department }), department,
    el("label", { for: "name", text: S.name }), el("p", { class: "hint", id: "name-hint", text: S.nameHint }), name,
    button, joinStatus);
    parts.joinStatus = joinStatus;
    return form;
  }

  function notFound() {  // an address that is not the page: the way back to it
    return el("section", {}, el("p", { class: "status error", text: S.refusals.notFound }),
      el("p", {}, el("a", { href: "/", class: "button-link", text: S.toJoinPage })));
  }

  function waiting() {
    return el("section", { class: view.done ? "waiting done" : "waiting" },
      el("h2", { text: view.done ? S.doneTitle : S.waitingTitle }), el("p", { text: view.done ? S.done : S.waiting }));
  }

  function ratingForm() {
    const sliders = [];
    const fieldsets = view.pillars.map((pillar) => {
      const earlier = view.ratings[pillar.id];
      const questions = Object.keys(S.questions).map((question, index) => {
        const id = newId("rating");
        const value = earlier ? earlier[index] : null;
        const range = el("input", { type: "range", id, min: 0, max: 10, step: 0.5, value: value ?? 5,
          class: value === null ? "unset" : "", "aria-valuetext": value === null ? S.notSet : String(value) });
        const shown = el("output", { for: id, class: value === null ? "unset" : "", text: value === null ? S.notSet : value.toFixed(1) });
        const touched = () => {
          range.classList.remove("unset"); shown.classList.remove("unset");
          shown.textContent = Number(range.value).toFixed(1);
          range.setAttribute("aria-valuetext", range.value);
          range.dataset.set = "1";
        };
        range.addEventListener("input", touched);
        range.addEventListener("change", touched);
        if (value !== null) range.dataset.set = "1";
        sliders.push({ pillar, index, range });
        return [el("label", { for: id, class: "question" }, el("span", { text: S.questions[question] }), shown),
          range, el("p", { class: "ends", "aria-hidden": "true" }, ...S.scaleEnds.map((end) => el("span", { text: end })))];
      });
      const legend = el("legend", { text: pillar.name });
      const described = newId("about");
      const box = el("fieldset", { "aria-describedby": described }, legend,
        el("p", { class: "hint", id: described, text: pillar.description }), ...questions.flat());
      return box;
    });
    const sentenceId = newId("sentence");
    const sentence = el("textarea", { id: sentenceId, maxlength: room.textMax });
    sentence.value = drafts.sentence ?? view.sentence ?? "";
    sentence.addEventListener("input", () => { drafts.sentence = sentence.value; });
    const saveStatus = status();
    const button = el("button", { type: "button", class: "primary", text: S.saveRatings, onclick: async () => {
      const ratings = {};
      for (const pillar of view.pillars) {
        const pair = sliders.filter((s) => s.pillar.id === pillar.id);
        const set = pair.filter((s) => s.range.dataset.set);
        if (set.length === 1) return say(saveStatus, S.bothAnswers(pillar.name), "error");
        if (set.length === 2) ratings[pillar.id] = pair.map((s) => Number(s.range.value));
      }
      if (!Object.keys(ratings).length && !sentence.value.trim()) return say(saveStatus, S.nothingToSave, "error");
      button.disabled = true;
      say(saveStatus, S.sending, "wait");
      const result = await submit("api/rate", { ratings, sentence: sentence.value }, saveStatus);
      button.disabled = false;
      if (result.ok) { drafts.sentence = null; say(saveStatus, result.offline ? S.sentAfterOffline + " " + S.saved : S.saved, "ok"); }
      else say(saveStatus, refusal(result.data), "error");
    } });
    return el("section", {}, el("h2", { text: S.stages.rating }), el("p", { class: "hint", text: S.scale }),
      ...fieldsets, el("label", { for: sentenceId, text: S.sentence }), sentence, button, saveStatus);
  }

  function ideasForm() {
    const textId = newId("idea");
    const text = el("textarea", { id: textId, maxlength: room.textMax });
    const counter = el("p", { class: "counter", "aria-live": "polite" });
    const count = () => { counter.textContent = S.ideaLeft(room.textMax - text.value.length); };
    text.value = drafts.idea;
    text.addEventListener("input", () => { drafts.idea = text.value; count(); });
    count();
    const pillarId = newId("pillar");
    const pillar = el("select", { id: pillarId }, el("option", { value: "", text: S.choosePillar }),
      ...view.pillars.map((p) => el("option", { value: p.id, text: p.name })));
    const moveName = newId("move");
    const moves = el("div", { class: "moves" }, ...view.moves.map(([key, label]) => el("label", {},
      el("input", { type: "radio", name: moveName, value: key }), el("span", { text: S.moves[key] || label }))));
    const leverId = newId("lever");
    const lever = el("select", { id: leverId }, el("option", { value: "", text: S.chooseLever }),
      ...view.levers.map(([key, label]) => el("option", { value: key, text: S.levers[key] || label })));
    for (const control of [pillar, lever]) control.addEventListener("change", () => { drafts[control.id.split("-")[0]] = control.value; });
    pillar.value = drafts.pillar || ""; lever.value = drafts.lever || "";
    const proposeStatus = status();
    const button = el("button", { type: "button", class: "primary", text: S.propose, onclick: async () => {
      const move = moves.querySelector("input:checked");
      if (!text.value.trim()) return say(proposeStatus, S.missingIdea, "error");
      if (!pillar.value || !move || !lever.value) return say(proposeStatus, S.missingChoice, "error");
      button.disabled = true;
      say(proposeStatus, S.sending, "wait");
      const result = await submit("api/propose", { text: text.value, pillar: pillar.value, move: move.value, lever: lever.value }, proposeStatus);
      button.disabled = false;
      if (result.ok) {
        text.value = ""; drafts.idea = ""; count();
        say(proposeStatus, result.offline ? S.sentAfterOffline + " " + S.proposed : S.proposed, "ok");
      } else say(proposeStatus, refusal(result.data), "error");
    } });
    parts.mine = el("div", {});
    return el("section", {}, el("h2", { text: S.stages.ideas }),
      el("label", { for: textId, text: S.idea }), text, counter,
      el("label", { for: pillarId, text: S.pillar }), pillar,
      el("fieldset", { class: "plain" }, el("legend", { text: S.move }), moves),
      el("label", { for: leverId, text: S.lever }), lever,
      button, proposeStatus, parts.mine);
  }

  function showMine() {
    if (!view.mine.length) return parts.mine.replaceChildren();
    parts.mine.replaceChildren(el("h2", { text: S.yourIdeas }), el("ul", { class: "ideas" },
      ...view.mine.map((idea) => el("li", {}, el("p", { text: idea.text }), el("p", { class: "pillar-name", text: idea.pillar })))));
  }

  function voteList() {
    parts.left = el("p", { class: "dots-left" });
    parts.notice = el("p", { class: "notice", hidden: true });
    parts.voteStatus = status();
    parts.counts = {};
    const rows = view.ideas.map((idea) => {
      const count = el("output", { "aria-live": "polite" });
      const rowStatus = status();
      parts.counts[idea.id] = count;
      return el("li", {}, el("p", { text: idea.text }), el("p", { class: "pillar-name", text: idea.pillar }),
        el("div", { class: "dot-row" },
          el("button", { type: "button", class: "remove", "aria-label": S.removeDot(idea.text), text: "−",
            onclick: () => tap(idea.id, -1, rowStatus) }),
          count,
          el("button", { type: "button", class: "add", "aria-label": S.addDot(idea.text), text: "+",
            onclick: () => tap(idea.id, 1, rowStatus) })),
        rowStatus);
    });
    return el("section", {}, el("h2", { text: S.stages.voting }), parts.left, parts.notice, parts.voteStatus,
      el("ul", { class: "ideas" }, ...rows));
  }

  function spent(allocation) {
    return Object.values(allocation).reduce((a, b) => a + b, 0);
  }

  function showDots() {
    const used = spent(view.allocation);
    parts.left.textContent = S.dotsLeft(view.budget, Math.max(0, view.budget - used));
    const notices = [];
    if (used > view.budget) notices.push(S.overBudget(used, view.budget));
    if (view.merged) notices.push(S.mergedNotice);
    parts.notice.textContent = notices.join(" ");
    parts.notice.hidden = !notices.length;
    for (const [id, count] of Object.entries(parts.counts)) {
      count.textContent = S.dots(view.allocation[id] || 0);
      count.closest("li").classList.toggle("chosen", (view.allocation[id] || 0) > 0);  // where my dots are, at a glance
    }
  }

  function tap(ideaId, change, rowStatus) {
    tapping += 1;
    say(rowStatus, S.sending, "wait");
    taps = taps.then(async () => {
      const seen = { ...view.allocation };
      const now = seen[ideaId] || 0;
      if (now + change < 0) return say(rowStatus, "");
      if (change > 0 && spent(seen) >= view.budget) return say(rowStatus, S.noDotsLeft, "error");
      const result = await submit("api/vote", { idea: ideaId, change, seen }, rowStatus);
      if (result.ok) {
        const here = view.allocation ? view.allocation[ideaId] || 0 : 0;
        say(rowStatus, (result.offline ? S.sentAfterOffline + " " : "") + S.dotSaved(here), "ok");
      } else say(rowStatus, refusal(result.data), "error");
    }).catch(() => say(rowStatus, S.refusals.failed, "error")).finally(() => { tapping -= 1; });
  }

  render();
  if (view.joined) { listen(); resendPending(); }
})();
