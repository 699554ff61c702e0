// Lore staff page: asks through the JSON API without reloading the page.
// The page works without this file (the form is a plain GET of /?q=…,
// answered on the server); this file adds:
//   - asking in place, keeping a shareable /#q=… link in the address bar
//     (a fragment never reaches the server, so questions stay out of logs);
//   - asking on load for /#q=… links;
//   - Enter to ask (not while an input method is composing);
//   - citation markers that scroll to their source without losing the link.
// No framework, no remote resources. Text from answers is only ever set
// with textContent, never parsed as HTML.
(function () {
  "use strict";

  var KIND_LABELS = {
    rule: "规则 Rule",
    faq: "问答 FAQ",
    script: "话术 Script",
    procedure: "流程 Procedure",
    term: "术语 Term",
    passage: "段落 Passage"
  };

  var form = document.getElementById("ask-form");
  var input = document.getElementById("q");
  var result = document.getElementById("result");
  if (!form || !input || !result) {
    document.documentElement.setAttribute("data-js", "ready");
    return;
  }
  var button = form.querySelector("button[type=submit]");
  var inFlight = null;
  var lastAsked = "";

  // el builds an element; string children become text nodes.
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  function bilingual(zh, en) {
    var frag = document.createDocumentFragment();
    frag.appendChild(document.createTextNode(zh + " "));
    frag.appendChild(el("span", { lang: "en" }, en));
    return frag;
  }

  function cite(n) {
    return el("a", { "class": "cite", href: "#src-" + n }, "[" + n + "]");
  }

  function section(cls, zh, en) {
    return el("section", { "class": cls }, el("h2", null, bilingual(zh, en)));
  }

  function renderAnswer(a) {
    var art = el("article", { "class": "answer", "data-rendered": "client" });
    if (a.no_answer) {
      art.appendChild(el("div", { "class": "notice no-answer", role: "status" },
        el("strong", null, bilingual("没有找到答案", "No answer found")),
        el("p", null, a.notice || "")));
    } else {
      var st = section("statements", "回答", "Answer");
      (a.statements || []).forEach(function (s) {
        var p = el("p", { "class": "statement" }, s.text);
        (s.cites || []).forEach(function (n) { p.appendChild(cite(n)); });
        st.appendChild(p);
      });
      art.appendChild(st);
    }

    var byN = {};
    (a.sources || []).forEach(function (s) { byN[s.n] = s; });

    if (a.script) {
      var sc = section("script", "推荐话术", "Recommended reply");
      sc.appendChild(el("blockquote", null, a.script.snippet));
      sc.appendChild(el("p", { "class": "meta" }, cite(a.script.n), " " + a.script.title));
      art.appendChild(sc);
    }

    var rules = (a.rules || []).map(function (n) { return byN[n]; }).filter(Boolean);
    if (rules.length) {
      var rs = section("rules", "适用规则", "Applicable rules");
      var ul = el("ul");
      rules.forEach(function (s) {
        ul.appendChild(el("li", null, cite(s.n), " ", el("strong", null, s.title),
          s.location ? " " : null, s.location ? el("span", { "class": "loc" }, s.location) : null,
          el("p", null, s.snippet)));
      });
      rs.appendChild(ul);
      art.appendChild(rs);
    }

    if (a.steps && a.steps.length) {
      var ps = section("steps", "处理步骤", "Steps");
      var ol = el("ol");
      a.steps.forEach(function (s) { ol.appendChild(el("li", null, s)); });
      ps.appendChild(ol);
      art.appendChild(ps);
    }

    if (a.sources && a.sources.length) {
      var ss = a.no_answer ? section("sources", "最接近的资料", "Closest sources") : section("sources", "来源", "Sources");
      var list = el("ol");
      a.sources.forEach(function (s) {
        list.appendChild(el("li", { "class": "source", id: "src-" + s.n },
          el("div", { "class": "source-head" },
            el("span", { "class": "n" }, "[" + s.n + "]"), " ",
            el("span", { "class": "kind kind-" + s.kind }, KIND_LABELS[s.kind] || s.kind), " ",
            el("strong", { "class": "title" }, s.title)),
          el("div", { "class": "where" }, el("span", { "class": "file" }, s.file),
            s.location ? " · " : null, s.location ? el("span", { "class": "loc" }, s.location) : null),
          el("blockquote", { "class": "snippet" }, s.snippet)));
      });
      ss.appendChild(list);
      art.appendChild(ss);
    }
    return art;
  }

  function renderError(message, code) {
    return el("div", { "class": "notice error", role: "alert", "data-code": code || "unavailable" }, message);
  }

  function show(node) {
    while (result.firstChild) result.removeChild(result.firstChild);
    result.appendChild(node);
  }

  function ask(q) {
    lastAsked = q;
    if (inFlight) inFlight.abort();
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    inFlight = ctrl;
    result.setAttribute("aria-busy", "true");
    if (button) button.disabled = true;
    document.title = q + " · Lore";

    fetch("/api/v1/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ question: q }),
      signal: ctrl ? ctrl.signal : undefined
    }).then(function (resp) {
      return resp.json().catch(function () { return null; }).then(function (body) {
        return { resp: resp, body: body };
      });
    }, function (err) {
      return { err: err };
    }).then(function (r) {
      if (inFlight !== ctrl) return; // a newer question replaced this one
      if (r.err) {
        if (r.err.name !== "AbortError") {
          show(renderError("无法连接服务器，请稍后重试 / cannot reach the server; try again later"));
        }
        return;
      }
      if (!r.resp.ok || !r.body) {
        var e = r.body && r.body.error ? r.body.error : {};
        show(renderError(e.message || ("请求失败 / request failed: HTTP " + r.resp.status), e.code));
        return;
      }
      show(renderAnswer(r.body));
    }).catch(function (err) {
      show(renderError("页面无法显示这个回答 / the page could not show this answer: " + (err && err.message), "internal"));
    }).then(function () {
      if (inFlight === ctrl) {
        inFlight = null;
        result.removeAttribute("aria-busy");
        if (button) button.disabled = false;
      }
    });
  }

  function questionFromHash() {
    var h = window.location.hash;
    if (h.indexOf("#q=") !== 0) return "";
    try {
      return decodeURIComponent(h.slice(3).replace(/\+/g, " ")).trim();
    } catch (e) {
      return "";
    }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value.trim();
    if (!q) {
      input.focus();
      return;
    }
    history.pushState(null, "", "/#q=" + encodeURIComponent(q));
    ask(q);
  });

  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  // A citation scrolls to its source and marks it, leaving the #q= link be.
  result.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.cite") : null;
    if (!a) return;
    var target = document.getElementById(a.getAttribute("href").slice(1));
    if (!target) return;
    ev.preventDefault();
    var marked = result.querySelectorAll(".source.is-target");
    for (var i = 0; i < marked.length; i++) marked[i].classList.remove("is-target");
    target.classList.add("is-target");
    target.scrollIntoView({ block: "center", behavior: "smooth" });
  });

  window.addEventListener("popstate", function () {
    var q = questionFromHash();
    if (q && q !== lastAsked) {
      input.value = q;
      ask(q);
    }
  });

  var initial = questionFromHash();
  if (initial) {
    input.value = initial;
    ask(initial);
  }
  document.documentElement.setAttribute("data-js", "ready");
})();
