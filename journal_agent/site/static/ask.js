/* The Ask page (journal_agent/site/ask_page.py): ask the journal agent served by `journal serve`.
 *
 * GET  v1/agents/                                -> the agents; none reachable: the "needs journal serve" notice stays
 * POST v1/agents/{agent_id}/messages/stream      -> server-sent events, one Letta message per `data:` line,
 *                                                   then stop_reason (with the cited `sources`), usage_statistics
 *                                                   and `data: [DONE]`
 * Model text is only ever set with textContent: nothing from the server is parsed as HTML.
 */
(function () {
  "use strict";
  var root = document.getElementById("journal-ask");
  if (!root) return;
  var base = new URL(root.getAttribute("data-base") || "./", window.location.href);
  var byId = function (id) { return document.getElementById(id); };
  var form = byId("journal-ask-form"), question = byId("journal-ask-question"), submit = byId("journal-ask-submit");
  var agentSelect = byId("journal-ask-agent"), tokenInput = byId("journal-ask-token");
  var offline = byId("journal-ask-offline"), problem = byId("journal-ask-problem");
  var statusLine = byId("journal-ask-status"), steps = byId("journal-ask-steps"), answer = byId("journal-ask-answer");
  var posts = {};
  try { posts = JSON.parse(byId("journal-ask-posts").textContent || "{}"); } catch (e) { posts = {}; }
  var TOKEN_KEY = "journal-serve-token";

  // -- names the answer may cite: paths, file names and titles of the published posts, longest first
  var needles = [];
  Object.keys(posts).forEach(function (path) {
    var post = posts[path], name = path.split("/").pop();
    needles.push({ text: path, path: path, word: false });
    if (name && name !== path) needles.push({ text: name, path: path, word: false });
    if (post.title && post.title.length >= 4) needles.push({ text: post.title, path: path, word: true });
  });
  needles.sort(function (a, b) { return b.text.length - a.text.length; });
  needles.forEach(function (n) { n.lower = n.text.toLowerCase(); });

  // a cited entry: the server's `url` for a source (journal_agent/site/links.py cited_url, the link
  // /v1/chat/completions gives) is the post's URL with the entry's #anchor; anything else is ignored
  var citedUrls = {};
  function postUrl(path) { return new URL(citedUrls[path] || posts[path].url, base).href; }
  function api(path) { return new URL(path, base).href; }
  function isWord(ch) { return !!ch && /[0-9A-Za-z_\u00C0-\uFFFF]/.test(ch); }

  function headers(extra) {
    var h = { Accept: "application/json" };
    var token = window.sessionStorage.getItem(TOKEN_KEY);
    if (token) h.Authorization = "Bearer " + token;
    Object.keys(extra || {}).forEach(function (k) { h[k] = extra[k]; });
    return h;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function say(text) { statusLine.textContent = text; }

  // -- citations: split text into text nodes and links to posts (text only, no HTML parsing)
  function cited(text, found) {
    var frag = document.createDocumentFragment(), lower = text.toLowerCase(), at = 0;
    while (at < text.length) {
      var best = null;
      for (var i = 0; i < needles.length; i++) {
        var n = needles[i], from = at, index;
        while ((index = lower.indexOf(n.lower, from)) !== -1) {
          var end = index + n.text.length;
          if (!n.word || (!isWord(text.charAt(index - 1)) && !isWord(text.charAt(end)))) break;
          from = index + 1;
        }
        if (index !== -1 && (best === null || index < best.index)) best = { index: index, needle: n };
      }
      if (best === null) break;
      frag.appendChild(document.createTextNode(text.slice(at, best.index)));
      var link = el("a", "journal-ask__cite", text.substr(best.index, best.needle.text.length));
      link.href = postUrl(best.needle.path);
      frag.appendChild(link);
      if (found.indexOf(best.needle.path) === -1) found.push(best.needle.path);
      at = best.index + best.needle.text.length;
    }
    frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }

  // -- one turn's view: a block per Letta message, merged when a message streams in pieces (same id)
  var blocks = {}, answers = [], extraSources = [];

  function textOf(content) {
    if (typeof content === "string") return content;
    if (Array.isArray(content)) {
      return content.map(function (part) { return part && typeof part.text === "string" ? part.text : ""; }).join("");
    }
    return "";
  }

  function admonition(kind, title, body, collapsible) {
    var box = el(collapsible ? "details" : "div", collapsible ? kind : "admonition " + kind);
    box.appendChild(el(collapsible ? "summary" : "p", collapsible ? "" : "admonition-title", title));
    var text = el(body.code ? "pre" : "p", "journal-ask__text");
    if (body.code) { var code = el("code", "", body.text); text.textContent = ""; text.appendChild(code); } else {
      text.textContent = body.text;
    }
    box.appendChild(text);
    box.setAttribute("data-step", kind);
    steps.appendChild(box);
    return { box: box, text: body.code ? text.firstChild : text, value: body.text };
  }

  function appendTo(key, kind, title, piece, collapsible, code) {
    var block = blocks[key];
    if (block) {
      block.value += piece;
      block.text.textContent = block.value;
      return block;
    }
    block = admonition(kind, title, { text: piece, code: code }, collapsible);
    blocks[key] = block;
    return block;
  }

  function pretty(args) {
    if (typeof args !== "string") return JSON.stringify(args, null, 2);
    try { return JSON.stringify(JSON.parse(args), null, 2); } catch (e) { return args; }
  }

  function showAnswer(id, piece) {
    var entry = null;
    for (var i = 0; i < answers.length; i++) if (answers[i].id === id) entry = answers[i];
    if (!entry) {
      entry = { id: id, text: "", node: el("div", "journal-ask__text journal-ask__reply") };
      answers.push(entry);
      answer.appendChild(entry.node);
    }
    entry.text += piece;
    entry.node.textContent = entry.text;
  }

  function handle(msg) {
    if (!msg || typeof msg !== "object") return;
    var type = msg.message_type, id = msg.id || msg.otid || String(Object.keys(blocks).length);
    if (Array.isArray(msg.sources)) extraSources = extraSources.concat(msg.sources);
    if (type === "reasoning_message") {
      appendTo("r" + id, "note", "Reasoning", msg.reasoning || "", false, false);
    } else if (type === "hidden_reasoning_message") {
      appendTo("h" + id, "note", "Reasoning (hidden by the model)", msg.hidden_reasoning || "", false, false);
    } else if (type === "tool_call_message") {
      var calls = msg.tool_calls && msg.tool_calls.length ? msg.tool_calls : [msg.tool_call || {}];
      calls.forEach(function (call) {
        var key = "c" + id + (call.tool_call_id || "");
        var block = appendTo(key, "abstract", "Tool call · " + (call.name || "?"), call.arguments || "", false, true);
        block.text.textContent = pretty(block.value);
      });
    } else if (type === "tool_return_message") {
      var failed = msg.status === "error";
      var ret = typeof msg.tool_return === "string" ? msg.tool_return : JSON.stringify(msg.tool_return);
      appendTo("t" + id + (msg.tool_call_id || ""), failed ? "failure" : "success",
        failed ? "Tool error" : "Tool result", ret || "", true, true);
    } else if (type === "assistant_message") {
      showAnswer(id, textOf(msg.content));
    } else if (type === "stop_reason") {
      if (msg.stop_reason && msg.stop_reason !== "end_turn") {
        admonition("warning", "Stopped", { text: "The turn stopped: " + msg.stop_reason }, false);
      }
    } else if (type === "usage_statistics") {
      var parts = [];
      if (msg.step_count) parts.push(msg.step_count + " step" + (msg.step_count === 1 ? "" : "s"));
      if (msg.total_tokens) parts.push(msg.total_tokens + " tokens");
      say(parts.length ? "Done · " + parts.join(" · ") : "Done");
    } else if (type === "error_message" || msg.error) {
      var detail = msg.message || msg.detail || (msg.error && (msg.error.message || msg.error.detail)) || msg.error;
      admonition("failure", "Error", { text: typeof detail === "string" ? detail : JSON.stringify(detail) }, false);
    }
  }

  function finish() {
    var found = [];
    citedUrls = {};
    extraSources.forEach(function (source) {
      var path = source && source.path, url = source && source.url, post = posts[path];
      if (post && typeof url === "string" && (url === post.url || url.indexOf(post.url + "#") === 0)) {
        citedUrls[path] = url;
      }
    });
    answers.forEach(function (entry) {
      entry.node.textContent = "";
      entry.node.appendChild(cited(entry.text, found));
    });
    extraSources.forEach(function (source) {
      var path = source && (source.path || source);
      if (typeof path === "string" && posts[path] && found.indexOf(path) === -1) found.push(path);
    });
    if (found.length) {
      var box = el("div", "admonition quote journal-ask__sources");
      box.appendChild(el("p", "admonition-title", "Sources"));
      var list = el("ul");
      found.forEach(function (path) {
        var item = el("li"), link = el("a", "", posts[path].title);
        link.href = postUrl(path);
        item.appendChild(link);
        item.appendChild(document.createTextNode(" (" + path + ")"));
        list.appendChild(item);
      });
      box.appendChild(list);
      answer.appendChild(box);
    }
  }

  // -- server-sent events over fetch (EventSource cannot POST)
  function readEvents(response, onData) {
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "", done = false;
    function flush(block) {
      var data = block.split(/\r?\n/).filter(function (line) { return line.indexOf("data:") === 0; })
        .map(function (line) { return line.slice(5).replace(/^ /, ""); }).join("\n");
      if (!data) return;
      if (data === "[DONE]") { done = true; return; }
      try { onData(JSON.parse(data)); } catch (e) { /* a keep-alive or a line we do not know */ }
    }
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { if (buffer.trim()) flush(buffer); return done; }
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split(/\r?\n\r?\n/);
        buffer = parts.pop();
        parts.forEach(flush);
        return done ? (reader.cancel(), true) : pump();
      });
    }
    return pump();
  }

  function detailOf(response) {
    return response.text().then(function (body) {
      try { var parsed = JSON.parse(body); return parsed.detail || body; } catch (e) { return body; }
    });
  }

  function ask(text) {
    var agentId = agentSelect.value;
    steps.textContent = ""; answer.textContent = "";
    blocks = {}; answers = []; extraSources = [];
    submit.disabled = true;
    say("Asking…");
    var url = api("v1/agents/" + encodeURIComponent(agentId) + "/messages/stream");
    return fetch(url, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
      body: JSON.stringify({ messages: [{ role: "user", content: text }] })
    }).then(function (response) {
      if (!response.ok) {
        return detailOf(response).then(function (detail) {
          var prefix = response.status === 409 ? "The agent is answering another question; ask again when it is done. "
            : "The server refused the question (HTTP " + response.status + "). ";
          admonition("failure", "Not asked", { text: prefix + detail }, false);
          say("");
        });
      }
      return readEvents(response, handle).then(function (complete) {
        finish();
        if (!complete) say("The stream ended early.");
        else if (!statusLine.textContent || statusLine.textContent === "Asking…") say("Done");
      });
    }).catch(function (error) {
      admonition("failure", "Connection lost", { text: String(error && error.message || error) }, false);
      say("");
    }).then(function () { submit.disabled = false; });
  }

  function needToken(message) {
    offline.hidden = false;
    problem.hidden = false;
    problem.textContent = message;
    form.hidden = false;
    [byId("journal-ask-token-label"), tokenInput].forEach(function (node) { node.hidden = false; });
  }

  function connect() {
    return fetch(api("v1/agents/"), { headers: headers() }).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        needToken("The server needs its token (journal serve --token): type it below, then ask.");
        return;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json().then(function (agents) {
        if (!Array.isArray(agents) || !agents.length) throw new Error("no agents");
        agentSelect.textContent = "";
        agents.forEach(function (agent) {
          var option = el("option", "", agent.name || agent.id);
          option.value = agent.id;
          if (agent.name === "journal") option.selected = true;
          agentSelect.appendChild(option);
        });
        var many = agents.length > 1;
        agentSelect.hidden = !many;
        byId("journal-ask-agent-label").hidden = !many;
        offline.hidden = true;
        problem.hidden = true;
        [byId("journal-ask-token-label"), tokenInput].forEach(function (node) { node.hidden = true; });
        form.hidden = false;
        root.setAttribute("data-ready", "true");
      });
    }).catch(function () {
      offline.hidden = false;
      root.setAttribute("data-ready", "offline");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!tokenInput.hidden && tokenInput.value) {
      window.sessionStorage.setItem(TOKEN_KEY, tokenInput.value);
      tokenInput.value = "";
      connect();
      return;
    }
    var text = question.value.trim();
    if (text && agentSelect.value) ask(text);
    else question.focus();
  });
  question.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  connect();
})();
