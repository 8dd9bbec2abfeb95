// Sign-in with BundID, after coming back from the provider (forms with `identity:`): the
// answers prefilled from the prefill answer, fetched with the session cookie (sent to the
// function only: SameSite=Strict, HttpOnly); locked answers (a required level) shown as text,
// as the function's page without JavaScript shows them (the function refuses a change in any
// case); the registry look-up with the citizen's consent; and "save and come back". site.js loads this file only when this tab started a
// sign-in (so a citizen who never signs in does not download it) and hands over what it uses
// in `window.formfabrikSignIn`.
(function () {
  "use strict";
  var F = window.formfabrikSignIn;
  if (!F) return;
  var $ = F.$, $$ = F.$$, ui = F.ui, lang = F.lang, human = F.human, wrapper = F.wrapper;
  var putAnswers = F.putAnswers, readAnswers = F.readAnswers, applyConditions = F.applyConditions;
  var store = F.store, asked = F.asked;
  var signIn = $("#sign-in"), signInLink = $("#sign-in-link");
  // A locked answer (from the account, a required level) as components/locked/template.html
  // renders it without JavaScript: the label and the answer as text, the inputs hidden.
  function lockAnswer(w, v, note) {
    var head = $("label, legend", w).cloneNode(true);
    $$(".optional, .condition", head).forEach(function (x) { x.remove(); });
    var text = v;
    if (v && typeof v === "object") {
      text = [((v.street || "") + " " + (v["house-number"] || "")).trim(), ((v.postcode || "") + " " + (v.city || "")).trim()].filter(Boolean).join(", ");
    } else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      var d = v.split("-").map(Number);
      text = human({ y: d[0], m: d[1], d: d[2] }, lang);
    }
    var inputs = $$("input, textarea, select", w), make = function (tag, cls, text, into) {
      var x = document.createElement(tag);
      if (cls) x.className = cls;
      if (text) x.textContent = text;
      (into || w).appendChild(x);
      return x;
    };
    w.textContent = "";
    w.className = "field field--locked";
    w.setAttribute("data-locked", "true");
    var dl = make("dl", "facts locked");
    make("dt", "label", head.textContent.trim(), dl);
    make("dd", "locked__value", text, dl);
    make("p", "hint", note || signIn.getAttribute("data-locked-note"));
    inputs.forEach(function (el) {
      var h = make("input");
      h.type = "hidden";
      h.id = el.id;
      h.name = el.name;
      h.value = el.value;
    });
  }
  // Save and come back: the answers so far (no files) to the function, which keeps them
  // encrypted for the account.
  var saveDraft = $("#save-draft-button");
  if (saveDraft) saveDraft.addEventListener("click", function (ev) {
    ev.preventDefault();
    var status = $("#save-draft-status");
    status.textContent = ui.sending;
    fetch(saveDraft.getAttribute("formaction"), { method: "POST", credentials: "include", mode: "cors", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ language: lang, data: readAnswers(false) }) })
      .then(function (res) { return res.json().then(function (b) { status.textContent = res.ok ? b.message : ui["send-failed"]; }); })
      .catch(function () { status.textContent = ui["send-failed"]; });
  });
  // An answer per question id, put back as site.js puts back its own draft (an address as
  // its parts, a list's entries with answers shown); `locked` ones as text, with the
  // registry's note for those in `reg`.
  var registry = $("#registry");
  function put(all, locked, reg) {
    all = all || {};
    putAnswers(all);
    (locked || []).forEach(function (id) {
      var w = wrapper(id);
      if (w && id in all) lockAnswer(w, all[id], (reg || []).indexOf(id) >= 0 ? registry.getAttribute("data-locked-note") : null);
    });
  }
  // The registry look-up, only when the citizen ticked the consent (the browser checks the
  // required box before this runs): the function asks the registry and answers with the
  // registered address, or says why there is none.
  if (registry) registry.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var status = $("#registry-status");
    status.textContent = ui.sending;
    fetch(registry.getAttribute("action"), { method: "POST", credentials: "include", mode: "cors", headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" }, body: "consent=yes" })
      .then(function (res) { return res.json(); })
      .then(function (b) {
        status.textContent = b.message || ui["send-failed"];
        var ids = Object.keys(b.answers || {});
        put(b.answers, b.locked, ids);
        applyConditions();
      })
      .catch(function () { status.textContent = ui["send-failed"]; });
  });
  if (signIn && store(function (s) { return s.getItem(asked); })) {
    fetch(signIn.getAttribute("data-prefill"), { credentials: "include", mode: "cors", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (res.status === 200) return res.json();
        store(function (s) { s.removeItem(asked); });
        return null;
      })
      .then(function (p) {
        if (!p) return;
        // The account's saved draft first (from another device, perhaps), the account's
        // answers over it (locked ones as text).
        put(p.draft);
        put(p.answers, p.locked, p["from-registry"]);
        $("#save-draft").hidden = false;
        if (registry) registry.hidden = false;
        var name = $("#signed-in-name");
        name.textContent = name.getAttribute("data-template").replace("{name}", p.name);
        $("#signed-in").hidden = false;
        signInLink.parentNode.hidden = true;
        applyConditions();
      }, function () {});
  }
})();
