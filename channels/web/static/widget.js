/* The career-guidance assistant's chat widget. One tag on any page:
   <script src="https://HOST/widget.js" data-lang="hr" data-region="hr-sisak-moslavina" async></script>
   Plain JS, no build step. It lives in a shadow root (the page's CSS and ours never meet), sets text with
   textContent only (no HTML from the server or the person is ever parsed), and keeps the conversation in
   localStorage so that it survives page loads. The one global is window.CareerAssistant. */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.CareerAssistant) return;

  var ROOT = new URL(".", script.src).href;
  var LANGS = ["sl", "hr", "pl", "cs", "hu", "en"];
  var KEY = "career-assistant:" + new URL(script.src).origin;
  var KEEP = 60; // messages kept on the device
  var pageMode = script.getAttribute("data-mode") === "page";
  var region = script.getAttribute("data-region") || null;
  var hint = known(script.getAttribute("data-lang")) || known(navigator.language) || "en";

  var state = restore();
  var ui = {}; // elements
  var T = {}; // texts in the interface language
  var languages = [];
  var maxChars = 1000;
  var busy = false;

  function known(tag) {
    var code = String(tag || "").toLowerCase().split("-")[0];
    return LANGS.indexOf(code) >= 0 ? code : null;
  }

  function uiLang() {
    return state.lang || state.convLang || hint;
  }

  // --- the device's memory --------------------------------------------------------------------

  function restore() {
    var empty = { id: null, lang: null, convLang: null, messages: [], suggestions: [], turns: 0, open: false };
    try {
      var saved = JSON.parse(localStorage.getItem(KEY) || "null");
      if (saved && Array.isArray(saved.messages)) {
        for (var k in empty) if (!(k in saved)) saved[k] = empty[k];
        return saved;
      }
    } catch (e) {
      /* no storage (private mode): the conversation lasts as long as the page */
    }
    return empty;
  }

  function save() {
    state.messages = state.messages.slice(-KEEP);
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
    } catch (e) {
      /* storage full or blocked */
    }
  }

  // --- building elements (text nodes only) ------------------------------------------------------

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  var ICONS = {
    chat: "M4 4h16v11H8l-4 4z",
    close: "M6 6l12 12M18 6L6 18",
    trash: "M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13",
    send: "M4 12l16-8-6 16-2-6z",
    up: "M7 11v9H4v-9zM7 11l4-7c2 0 2 2 2 3v2h5c1 0 2 1 2 2l-2 7c0 1-1 2-2 2H7",
    down: "M7 13V4H4v9zM7 13l4 7c2 0 2-2 2-3v-2h5c1 0 2-1 2-2l-2-7c0-1-1-2-2-2H7",
  };

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function iconButton(cls, name) {
    var button = el("button", "ca-icon " + cls);
    button.type = "button";
    button.appendChild(icon(name));
    return button;
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(url, text) {
    var a = el("a", "ca-link", text);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(el("span", "ca-vh", " (" + T.new_tab + ")"));
    return a;
  }

  // Plain text with its web addresses made into links; everything else stays text.
  function richText(node, text) {
    var pattern = /https?:\/\/[^\s<>"]+/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text))) {
      var url = match[0].replace(/[.,;:!?)\]]+$/, "");
      node.appendChild(document.createTextNode(text.slice(last, match.index)));
      var safe = safeUrl(url);
      node.appendChild(safe ? link(safe, url) : document.createTextNode(url));
      last = match.index + url.length;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  // --- the skeleton --------------------------------------------------------------------------

  function build() {
    var host = document.getElementById("career-assistant") || document.body.appendChild(el("div"));
    host.setAttribute("data-career-assistant", "");
    var shadow = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = el("link");
    style.rel = "stylesheet";
    style.href = ROOT + "widget.css";
    var root = el("div", "ca" + (pageMode ? " ca-page" : ""));
    root.hidden = true; // until the styles are in
    style.onload = style.onerror = function () {
      root.hidden = false;
    };
    shadow.appendChild(style);
    shadow.appendChild(root);

    ui.root = root;
    ui.launcher = el("button", "ca-launcher");
    ui.launcher.type = "button";
    ui.launcher.setAttribute("aria-controls", "ca-panel");
    ui.launcher.appendChild(icon("chat"));
    ui.launcher.onclick = function () {
      state.open ? close() : open();
    };

    ui.panel = el("section", "ca-panel");
    ui.panel.id = "ca-panel";
    ui.panel.setAttribute("role", pageMode ? "region" : "dialog");
    ui.panel.setAttribute("aria-labelledby", "ca-title");
    ui.panel.hidden = !pageMode;

    var head = el("header", "ca-head");
    var titles = el("div", "ca-titles");
    ui.title = el("h2", "ca-title");
    ui.title.id = "ca-title";
    ui.subtitle = el("p", "ca-sub");
    var row = el("div", "ca-row");
    titles.appendChild(ui.title);
    titles.appendChild(row);
    ui.langLabel = el("label", "ca-vh");
    ui.langLabel.htmlFor = "ca-lang";
    ui.select = el("select", "ca-select");
    ui.select.id = "ca-lang";
    ui.select.onchange = function () {
      choose(ui.select.value);
    };
    ui.forget = iconButton("ca-forget", "trash");
    ui.forget.onclick = forget;
    ui.close = iconButton("ca-close", "close");
    ui.close.onclick = close;
    row.appendChild(ui.langLabel);
    row.appendChild(ui.select);
    row.appendChild(ui.subtitle);
    head.appendChild(titles);
    head.appendChild(ui.forget);
    if (!pageMode) head.appendChild(ui.close);

    ui.log = el("div", "ca-log");
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.tabIndex = 0;

    ui.typing = el("div", "ca-typing");
    ui.typing.setAttribute("role", "status");
    ui.typingDots = el("span", "ca-dots");
    ui.typingDots.setAttribute("aria-hidden", "true");
    for (var i = 0; i < 3; i++) ui.typingDots.appendChild(el("span"));
    ui.typingText = el("span", "ca-typing-text");

    ui.notice = el("p", "ca-notice");
    ui.notice.setAttribute("role", "alert");

    ui.replies = el("div", "ca-replies");
    ui.replies.setAttribute("role", "group");

    ui.form = el("form", "ca-form");
    ui.inputLabel = el("label", "ca-vh");
    ui.inputLabel.htmlFor = "ca-input";
    ui.input = el("textarea", "ca-input");
    ui.input.id = "ca-input";
    ui.input.rows = 2;
    ui.input.onkeydown = function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    };
    ui.send = el("button", "ca-send");
    ui.send.type = "submit";
    ui.send.appendChild(icon("send"));
    ui.sendText = el("span", "ca-vh");
    ui.send.appendChild(ui.sendText);
    ui.form.onsubmit = function (event) {
      event.preventDefault();
      submit();
    };
    ui.form.appendChild(ui.inputLabel);
    ui.form.appendChild(ui.input);
    ui.form.appendChild(ui.send);

    ui.panel.appendChild(head);
    ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.typing);
    ui.panel.appendChild(ui.notice);
    ui.panel.appendChild(ui.replies);
    ui.panel.appendChild(ui.form);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !pageMode) {
        event.stopPropagation();
        close();
      }
    });
    if (!pageMode) root.appendChild(ui.launcher);
    root.appendChild(ui.panel);
    showTyping(false);
    notice("");
  }

  // Every text of the interface, in the current language; the log is drawn again with them.
  function label() {
    ui.root.setAttribute("lang", uiLang());
    ui.launcher.setAttribute("aria-label", T.open);
    ui.title.textContent = T.title;
    ui.subtitle.textContent = T.subtitle;
    ui.langLabel.textContent = T.language;
    ui.select.textContent = "";
    languages.forEach(function (pair) {
      var option = el("option", null, pair[1]);
      option.value = pair[0];
      option.lang = pair[0];
      ui.select.appendChild(option);
    });
    ui.select.value = uiLang();
    ui.forget.setAttribute("aria-label", T.forget);
    ui.forget.title = T.forget;
    ui.close.setAttribute("aria-label", T.close);
    ui.close.title = T.close;
    ui.log.setAttribute("aria-label", T.conversation_label);
    ui.typingText.textContent = T.typing;
    ui.replies.setAttribute("aria-label", T.suggestions);
    ui.inputLabel.textContent = T.input_label;
    ui.input.placeholder = T.placeholder;
    ui.input.maxLength = maxChars;
    ui.sendText.textContent = T.send;
    ui.send.title = T.send;
    drawLog();
    drawReplies();
  }

  // --- the conversation ----------------------------------------------------------------------

  function drawLog() {
    ui.log.textContent = "";
    ui.log.appendChild(el("p", "ca-msg ca-bot ca-welcome", T.welcome));
    state.messages.forEach(function (message) {
      ui.log.appendChild(drawMessage(message));
    });
    scrollDown();
  }

  function drawMessage(message) {
    var mine = message.role === "user";
    var box = el("div", "ca-msg " + (mine ? "ca-user" : "ca-bot"));
    if (message.lang) box.lang = message.lang;
    box.appendChild(el("span", "ca-vh", (mine ? T.you : T.assistant) + ": "));
    var text = el("div", "ca-text");
    richText(text, message.text);
    box.appendChild(text);
    if (mine) return box;
    var sources = (message.sources || []).filter(function (s) {
      return s && s.title;
    });
    if (sources.length) {
      var list = el("ul", "ca-sources");
      list.setAttribute("aria-label", T.sources);
      sources.forEach(function (source) {
        var item = el("li");
        var url = source.url && safeUrl(source.url);
        item.appendChild(url ? link(url, source.title) : el("span", null, source.title));
        list.appendChild(item);
      });
      box.appendChild(el("p", "ca-sources-title", T.sources));
      box.appendChild(list);
    }
    if (message.esco) box.appendChild(el("p", "ca-esco", T.esco));
    if (message.turn) box.appendChild(drawFeedback(message));
    return box;
  }

  function drawFeedback(message) {
    var group = el("div", "ca-feedback");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", T.feedback_question);
    if (message.rating) {
      group.appendChild(el("p", "ca-thanks", T.feedback_thanks));
      return group;
    }
    var up = iconButton("ca-thumb", "up");
    up.setAttribute("aria-label", T.helpful);
    up.title = T.helpful;
    var down = iconButton("ca-thumb", "down");
    down.setAttribute("aria-label", T.not_helpful);
    down.title = T.not_helpful;
    up.onclick = function () {
      rate(message, 1, null, group);
    };
    down.onclick = function () {
      down.setAttribute("aria-pressed", "true");
      group.appendChild(reasonForm(message, group));
      group.querySelector("input").focus();
    };
    group.appendChild(up);
    group.appendChild(down);
    return group;
  }

  function reasonForm(message, group) {
    var form = el("form", "ca-reason");
    var id = "ca-reason-" + message.turn;
    var caption = el("label", "ca-reason-label", T.reason_label);
    caption.htmlFor = id;
    var input = el("input", "ca-reason-input");
    input.id = id;
    input.maxLength = 500;
    var button = el("button", "ca-reason-send", T.reason_send);
    button.type = "submit";
    form.onsubmit = function (event) {
      event.preventDefault();
      rate(message, -1, input.value.trim() || null, group);
    };
    form.appendChild(caption);
    form.appendChild(input);
    form.appendChild(button);
    return form;
  }

  function drawReplies() {
    ui.replies.textContent = "";
    state.suggestions.forEach(function (text) {
      var button = el("button", "ca-reply", text);
      button.type = "button";
      button.onclick = function () {
        ui.input.focus(); // the buttons go away: keep the focus where the next message is typed
        send(text);
      };
      ui.replies.appendChild(button);
    });
    ui.replies.hidden = !state.suggestions.length;
  }

  function scrollDown() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function showTyping(on) {
    ui.typing.textContent = "";
    if (on) {
      ui.typing.appendChild(ui.typingDots);
      ui.typing.appendChild(ui.typingText);
    }
    ui.typing.hidden = !on;
  }

  function notice(text) {
    ui.notice.textContent = text;
    ui.notice.hidden = !text;
  }

  function submit() {
    var text = ui.input.value.trim();
    if (text) send(text);
  }

  function send(text) {
    if (busy) return;
    busy = true;
    notice("");
    var mine = { role: "user", text: text, lang: uiLang() };
    var shown = drawMessage(mine);
    ui.log.appendChild(shown);
    ui.input.value = "";
    state.suggestions = [];
    drawReplies();
    showTyping(true);
    scrollDown();
    var live = null;
    ask(text, function (piece) {
      if (!live) {
        showTyping(false);
        live = drawMessage({ role: "assistant", text: "" });
        ui.log.appendChild(live);
      }
      live.querySelector(".ca-text").textContent += piece;
      scrollDown();
    })
      .then(function (answer) {
        state.id = answer.conversation_id;
        state.turns += 1;
        state.convLang = answer.lang;
        var kinds = (answer.sources || []).map(function (s) {
          return s.kind;
        });
        var reply = {
          role: "assistant",
          text: answer.text,
          lang: answer.lang,
          sources: answer.sources || [],
          esco: !!answer.uses_esco || kinds.indexOf("occupation") >= 0 || kinds.indexOf("skill") >= 0,
          turn: state.turns,
        };
        state.messages.push(mine, reply);
        state.suggestions = answer.suggestions || [];
        save();
        if (live) live.remove();
        ui.log.appendChild(drawMessage(reply));
        if (ui.root.getAttribute("lang") !== uiLang()) return texts(uiLang()).then(label);
        drawReplies();
        scrollDown();
      })
      .catch(function (error) {
        if (live) live.remove();
        shown.remove();
        ui.input.value = text; // nothing is lost: the message waits to be sent again
        notice(problem(error));
      })
      .then(function () {
        showTyping(false);
        busy = false;
      });
  }

  function problem(error) {
    if (error.status === 429) return T.rate_limited.replace("{seconds}", error.retryAfter || "60");
    if (error.detail) return error.detail;
    return error.status ? T.server_error : T.unreachable;
  }

  // --- talking to the server -----------------------------------------------------------------

  function request(path, options) {
    options.headers = Object.assign({ "Accept-Language": uiLang() }, options.headers || {});
    options.credentials = "omit";
    return fetch(ROOT + path, options).then(
      function (response) {
        if (response.ok) return response;
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            throw {
              status: response.status,
              detail: typeof body.detail === "string" ? body.detail : null,
              retryAfter: response.headers.get("Retry-After"),
            };
          });
      },
      function () {
        throw { status: 0 }; // unreachable
      }
    );
  }

  // The streaming endpoint first (sentences as they come), /api/chat where it is missing.
  function ask(text, onPiece) {
    var body = JSON.stringify({
      message: text,
      conversation_id: state.id,
      lang: state.lang,
      region: region,
    });
    var json = { "Content-Type": "application/json" };
    return request("api/chat/stream", { method: "POST", headers: json, body: body })
      .then(function (response) {
        return readEvents(response, onPiece);
      })
      .catch(function (error) {
        if (error.status !== 404 && error.status !== 405) throw error;
        return request("api/chat", { method: "POST", headers: json, body: body }).then(function (r) {
          return r.json();
        });
      });
  }

  function readEvents(response, onPiece) {
    var answer = null;
    var buffer = "";
    function take(final) {
      var blocks = buffer.split("\n\n");
      buffer = final ? "" : blocks.pop();
      blocks.forEach(function (block) {
        var name = "message";
        var data = "";
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          if (line.indexOf("data:") === 0) data += line.slice(5).trim();
        });
        if (!data) return;
        var value = JSON.parse(data);
        if (name === "delta") onPiece(value.text);
        if (name === "answer") answer = value;
      });
    }
    function done() {
      take(true);
      if (!answer) throw { status: 0 };
      return answer;
    }
    if (!response.body || !response.body.getReader || !window.TextDecoder) {
      return response.text().then(function (all) {
        buffer = all;
        return done();
      });
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return done();
        buffer += decoder.decode(chunk.value, { stream: true });
        take(false);
        return pump();
      });
    }
    return pump().catch(function (error) {
      throw error && error.status !== undefined ? error : { status: 0 };
    });
  }

  function rate(message, rating, reason, group) {
    request("api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation_id: state.id, rating: rating, turn: message.turn, reason: reason }),
    })
      .then(function () {
        message.rating = rating;
        save();
        group.replaceWith(drawFeedback(message));
      })
      .catch(function (error) {
        notice(problem(error));
      });
  }

  function forget() {
    if (!window.confirm(T.forget_confirm)) return;
    var gone = state.id
      ? request("api/conversations/" + encodeURIComponent(state.id), { method: "DELETE" }).catch(function (e) {
          if (e.status !== 404) throw e; // already gone on the server: clear this device too
        })
      : Promise.resolve();
    gone
      .then(function () {
        state.id = null;
        state.messages = [];
        state.suggestions = [];
        state.turns = 0;
        state.convLang = null;
        save();
        drawLog();
        drawReplies();
        notice(T.forgotten);
        ui.input.focus();
      })
      .catch(function (error) {
        notice(problem(error));
      });
  }

  function texts(lang) {
    return fetch(ROOT + "widget/strings/" + lang + ".json", { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("texts " + response.status);
        return response.json();
      })
      .then(function (body) {
        T = body.strings;
        languages = body.languages;
        maxChars = body.max_message_chars || maxChars;
      });
  }

  function choose(lang) {
    state.lang = lang;
    save();
    texts(lang)
      .then(function () {
        label();
        ui.select.focus();
      })
      .catch(function () {
        notice(T.unreachable);
      });
  }

  // --- opening and closing -------------------------------------------------------------------

  function open() {
    state.open = true;
    save();
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.hidden = window.matchMedia("(max-width: 480px)").matches;
    scrollDown();
    ui.input.focus();
  }

  function close() {
    state.open = false;
    save();
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  }

  function start() {
    build();
    texts(uiLang())
      .then(function () {
        label();
        if (pageMode) return;
        ui.panel.hidden = !state.open;
        ui.launcher.setAttribute("aria-expanded", String(state.open));
        ui.launcher.hidden = state.open && window.matchMedia("(max-width: 480px)").matches;
      })
      .catch(function () {
        /* the server is unreachable: without its texts the launcher stays away */
        ui.root.remove();
      });
  }

  window.CareerAssistant = { open: open, close: close };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
