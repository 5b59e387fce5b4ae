/* Touch Base comments widget. No deps, CSP-safe. */
(function () {
"use strict";
const d = document, $ = (s, r) => (r || d).querySelector(s), $$ = (s, r) => Array.from((r || d).querySelectorAll(s));
const el = (t, c, x) => { const e = d.createElement(t); if (c) e.className = c; if (x != null) e.textContent = x; return e; };
const btn = (x, c, fn) => { const b = el("button", c, x); b.type = "button"; b.onclick = fn; return b; };
const FAIL = "Sorry, that failed. Please try again in a moment; your text is kept.";
let thread, slug, form, api, tURL, home, open = false, replyTo = null, sayT, gen = 0;

function say(m) {
  const s = $("#comment-status"); if (!s) return;
  s.textContent = ""; clearTimeout(sayT); // clear first so a repeated message is announced again
  sayT = setTimeout(() => { s.textContent = m; }, 50);
}

async function call(url, method, json) {
  const o = { method: method || "GET", credentials: "same-origin", cache: "no-cache", headers: { Accept: "application/json" } };
  if (json) { o.body = JSON.stringify(json); o.headers["Content-Type"] = "application/json"; }
  const r = await fetch(url, o), data = await r.json().catch(() => null);
  return { r, ok: r.ok, s: r.status, data: data || {} };
}

// Disable a button while fn runs; give focus back if disabling dropped it.
async function busy(b, fn) {
  if (b.dataset.busy) return;
  b.disabled = true; b.dataset.busy = 1;
  try { await fn(); } catch (e) { say(FAIL); }
  b.disabled = false; delete b.dataset.busy;
  if (d.activeElement === d.body && d.contains(b)) b.focus();
}

const keep = fn => { const a = d.activeElement; fn(); if (a && a !== d.activeElement && d.contains(a)) a.focus(); };
const fld = n => form && form.elements.namedItem(n);
const apiOf = () => ((thread && thread.dataset.api) || d.body.dataset.commentsApi || "/api").replace(/\/+$/, "");
const focusOn = e => { if (e) { if (e.tabIndex < 0 && !e.hasAttribute("tabindex")) e.tabIndex = -1; e.focus(); } };

/* counts, on any page */
function countHref(sp, s) {
  if (thread && s === slug) return "#comments";
  const box = sp.closest("article, li, .post, .entry"), a = box && $("a[rel~=bookmark], h1 a[href], h2 a[href], h3 a[href]", box);
  return a ? a.href.split("#")[0] + "#comments" : "";
}

function counts() {
  const spans = $$("[data-comment-count]"), slugs = Array.from(new Set(spans.map(s => s.dataset.commentCount).filter(Boolean)));
  for (let i = 0; i < slugs.length; i += 50) {
    call(apiOf() + "/counts?" + slugs.slice(i, i + 50).map(s => "slug=" + encodeURIComponent(s)).join("&")).then(res => {
      if (res.ok) spans.forEach(sp => {
        const s = sp.dataset.commentCount, n = res.data[s];
        if (typeof n !== "number") return;
        let a = $("a", sp), h;
        if (!a && !sp.closest("a") && (h = countHref(sp, s))) { a = el("a"); a.href = h; sp.textContent = ""; sp.append(a); }
        (a || sp).textContent = n === 1 ? "1 comment" : n ? n + " comments" : "No comments yet";
      });
    }).catch(() => {});
  }
}

/* the thread: the service's HTML, from the template the build baked the page with */
function actions(li) {
  const host = $(":scope > article", li) || li;
  return $(":scope > .comment-actions", host) || host.appendChild(el("p", "comment-actions"));
}

function sync() {
  const ol = $(".comment-list", thread), any = !!$("li.comment", thread);
  let none = $(".no-comments", thread);
  if (ol) ol.hidden = !any;
  if (!any && !none) thread.append(none = el("p", "no-comments", "No comments yet. Start the conversation."));
  if (none) none.hidden = any;
}

// One of the reader's own held comments, under its parent, with Edit/Delete while editable.
function addOwn(c) {
  if (d.getElementById("c" + c.id)) return;
  const par = c.parent_id != null && d.getElementById("c" + c.parent_id);
  const ol = par && thread.contains(par)
    ? $(":scope > ol.comment-replies", par) || par.appendChild(el("ol", "comment-replies"))
    : $(".comment-list", thread) || thread.insertBefore(el("ol", "comment-list"), thread.firstChild);
  ol.insertAdjacentHTML("beforeend", c.html);
  const li = ol.lastElementChild;
  own(c, li, $(".comment-body", li));
}

async function refresh(first) {
  const g = ++gen, o = { credentials: "same-origin", cache: "no-cache" };
  thread.setAttribute("aria-busy", "true");
  const [h, m] = await Promise.all([
    fetch(tURL + "/comments.html", o).then(r => r.ok ? r.text() : null, () => null),
    call(tURL + "/mine").then(r => r.ok && Array.isArray(r.data.comments) ? r.data.comments : [], () => [])
  ]);
  if (g !== gen) return;
  // Without the service's list the baked one stays: its Reply links work without us.
  keep(() => { if (h != null) thread.innerHTML = h; m.forEach(addOwn); sync(); placeForm(); });
  thread.removeAttribute("aria-busy");
  if (h != null) {
    const n = $$("li.comment:not(.pending)", thread).length;
    $$(".comment-total").forEach(s => { s.textContent = /\d/.test(s.textContent) ? s.textContent.replace(/\d+/, n) : n; });
  }
  const t = first && location.hash && d.getElementById(location.hash.slice(1));
  if (t && thread.contains(t)) t.scrollIntoView();
}

/* own pending comments: edit / delete while editable */
function own(c, li, bd) {
  const left = Date.parse(c.editable_until) - Date.now(), url = api + "/comments/" + c.id;
  if (!(left > 0)) return;
  let ta, bar, tm;
  const close = () => { ta.remove(); bar.remove(); ta = null; bd.hidden = false; edit.focus(); };
  const edit = btn("Edit", "edit", () => {
    if (ta) return ta.focus();
    ta = el("textarea", "edit-body"); bar = el("div", "edit-actions");
    ta.value = c.body != null ? c.body : bd.innerText.trim();
    ta.setAttribute("aria-label", "Edit your comment"); ta.maxLength = 10000; ta.rows = 6;
    const save = btn("Save", "save", () => busy(save, async () => {
      const r = await call(url, "PUT", { body: ta.value });
      if (!r.ok) return say(r.data.error || "Sorry, your edit could not be saved.");
      bd.innerHTML = r.data.body_html || ""; c.body = ta.value; close(); say("Your comment was updated.");
    }));
    bar.append(save, " ", btn("Cancel", "cancel", close));
    bd.hidden = true; bd.after(ta, bar); ta.focus();
  });
  const disarm = () => { tm = clearTimeout(tm); del.textContent = "Delete"; };
  const del = btn("Delete", "delete", () => {
    if (!tm) { del.textContent = "Really delete?"; tm = setTimeout(disarm, 6000); return say("Press again to delete your comment."); }
    disarm();
    busy(del, async () => {
      const r = await call(url, "DELETE");
      if (!r.ok) return say(r.data.error || "Sorry, the comment could not be deleted.");
      li.remove(); sync(); say("Your comment was deleted."); focusOn($("#comments-title"));
    });
  });
  actions(li).append(edit, " ", del);
  setTimeout(() => { if (!ta) { edit.remove(); del.remove(); } }, Math.min(left, 2e9));
}

/* reply: the one form moves under the comment */
function placeForm() {
  if (!home) return;
  const li = replyTo && d.getElementById(replyTo), art = li && $(":scope > article", li);
  if (art) { if (art.nextSibling !== form) art.after(form); }
  else if (replyTo) cancelReply();
  else if (home.nextSibling !== form) home.after(form);
}

function startReply(id, name) {
  const li = d.getElementById(id), rt = $(".replying-to", form);
  if (!li) return;
  replyTo = id;
  fld("parent_id").value = li.dataset.id || id.slice(1);
  rt.textContent = "Replying to " + name + " ";
  rt.append(btn("Cancel reply", "cancel-reply", () => cancelReply(true)));
  rt.hidden = false;
  placeForm(); fld("body").focus();
}

function cancelReply(back) {
  const id = replyTo, rt = $(".replying-to", form);
  replyTo = null; fld("parent_id").value = ""; rt.hidden = true; rt.textContent = "";
  placeForm();
  if (back) { const li = d.getElementById(id); focusOn((li && $(":scope > article .reply-link", li)) || fld("body")); }
}

/* submit */
function token() {
  const f = fld("form_token");
  if (f) call(api + "/form-token").then(r => { if (r.ok && r.data.token) f.value = r.data.token; }).catch(() => {});
}

// add/remove an id in a field's aria-describedby
function desc(f, id, add) {
  const ids = (f.getAttribute("aria-describedby") || "").split(/\s+/).filter(t => t && t !== id), A = "aria-describedby";
  if (add) ids.push(id);
  if (ids.length) f.setAttribute(A, ids.join(" ")); else f.removeAttribute(A);
}

function clearErrors() {
  $$("[aria-invalid]", form).forEach(f => { f.removeAttribute("aria-invalid"); desc(f, f.name + "-error"); });
  $$(".field-error", form).forEach(m => m.remove());
}

function showErrors(fs, msg) {
  const extra = [];
  Object.keys(fs).forEach(k => {
    const f = fld(k);
    if (!f || !f.tagName || f.type === "hidden" || f.closest("[aria-hidden=true]")) return extra.push(fs[k]);
    const m = el("span", "field-error", fs[k]);
    m.id = k + "-error";
    (f.parentNode.tagName === "LABEL" ? f.parentNode : f).after(m);
    f.setAttribute("aria-invalid", "true"); desc(f, m.id, 1);
  });
  say([msg || "Please correct the marked fields."].concat(extra).join(" "));
  focusOn(Array.from(form.elements).find(x => x.getAttribute("aria-invalid") === "true"));
  if (fs.form_token) token();
}

async function send() {
  clearErrors(); say("Sending your comment…");
  const v = n => (fld(n) || {}).value || "", pid = parseInt(v("parent_id"), 10), nf = fld("notify");
  const r = await call(tURL + "/comments", "POST", {
    author: v("author").trim(), email: v("email").trim(), website: v("website").trim(), body: v("body"),
    parent_id: isNaN(pid) ? null : pid, notify: !!(nf && nf.checked), form_token: v("form_token"), phone: v("phone")
  });
  const e = r.data.error, s = r.s;
  if (r.ok) {
    fld("body").value = "";
    cancelReply();
    say(r.data.status === "approved" ? "Your comment is published." : "Thanks! Your comment is awaiting moderation.");
    token(); refresh(); counts();
  } else if (s === 400) showErrors(r.data.fields || {}, e);
  else if (s === 429) {
    const sec = parseInt(r.r.headers.get("Retry-After"), 10) || 0, m = e || "You are posting too quickly.";
    say(sec && m.indexOf(sec) < 0 ? m + " Please wait " + sec + (sec === 1 ? " second" : " seconds") + " and try again." : m);
  } else say((s < 500 && e) || { 403: "Comments are closed.", 404: "This post was not found.", 413: "Your comment is too long." }[s] || FAIL);
}

function init() {
  counts();
  thread = $("#comment-thread"); slug = thread && thread.dataset.thread;
  if (!slug) return;
  form = $("#comment-form"); api = apiOf(); tURL = api + "/threads/" + encodeURIComponent(slug);
  open = !!form && thread.dataset.open !== "false";
  if (open) {
    form.before(home = d.createComment(" comment form ")); token();
    // Each comment's Reply link (baked, or from the service) moves the form under it.
    thread.addEventListener("click", ev => {
      const a = ev.target.closest("a.reply-link"), li = a && a.closest("li.comment");
      if (!li || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault(); startReply(li.id, $(".comment-author", li).textContent.trim());
    });
    form.addEventListener("submit", ev => {
      ev.preventDefault();
      busy(ev.submitter || $("[type=submit], button:not([type])", form) || form, send);
    });
  }
  refresh(true);
}

if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", init); else init();
})();
