// communique site search: runs on /<lang>/search/?q=..., fetches the index shards of the
// query's terms from search/<lang>/ (built by src/search/), ranks with the BM25 weights stored
// there and shows the results. No other host, no build step.
// The tokenizer below mirrors src/search/tokenize.rs rule for rule; tests/search_browser.rs
// checks that both give the same terms.
(function () {
  "use strict";

  var STOP_WORDS = new Set([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
  ]);
  var OTHER = 0, LATIN = 1, CJK = 2;
  var FORMAT_VERSION = 1;
  var PAGE_SIZE = 10;
  var SNIPPET_CHARS = 220;
  // `?v=<stamp>` of the manifest last read.
  var stamp = "";

  // Lower-case ASCII and Latin-1 capitals only, as tokenize.rs does.
  function fold(code) {
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0xc0 && code <= 0xd6) ||
        (code >= 0xd8 && code <= 0xde)) {
      return code + 0x20;
    }
    return code;
  }

  function classOf(code) {
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) ||
        (code >= 0xdf && code <= 0xf6) || (code >= 0xf8 && code <= 0x24f)) {
      return LATIN;
    }
    if ((code >= 0xac00 && code <= 0xd7a3) || (code >= 0x3040 && code <= 0x30ff) ||
        (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff)) {
      return CJK;
    }
    return OTHER;
  }

  // The terms of `text` with where each came from: [{term, start, end}] (UTF-16 offsets).
  function tokenize(text) {
    var tokens = [];
    var run = [];        // [{ch, start, end}]
    var runClass = OTHER;
    var offset = 0;
    var chars = Array.from(text);
    chars.push(" ");
    for (var i = 0; i < chars.length; i++) {
      var original = chars[i];
      var code = fold(original.codePointAt(0));
      var cls = classOf(code);
      if (cls !== runClass) {
        emit(run, runClass, tokens);
        run = [];
        runClass = cls;
      }
      if (cls !== OTHER) {
        run.push({ ch: String.fromCodePoint(code), start: offset, end: offset + original.length });
      }
      offset += original.length;
    }
    return tokens;
  }

  function emit(run, runClass, tokens) {
    if (runClass === CJK) {
      if (run.length === 1) {
        tokens.push({ term: run[0].ch, start: run[0].start, end: run[0].end });
      }
      for (var i = 0; i + 1 < run.length; i++) {
        tokens.push({ term: run[i].ch + run[i + 1].ch, start: run[i].start, end: run[i + 1].end });
      }
    } else if (runClass === LATIN) {
      var word = run.map(function (c) { return c.ch; }).join("");
      if (!STOP_WORDS.has(word)) {
        tokens.push({ term: stem(word), start: run[0].start, end: run[run.length - 1].end });
      }
    }
  }

  function terms(text) {
    return tokenize(text).map(function (t) { return t.term; });
  }

  // Porter's step 1, as in tokenize.rs.
  function stem(word) {
    if (word.length <= 2 || !/^[a-z]+$/.test(word)) {
      return word;
    }
    var w = word;
    if (w.endsWith("sses") || w.endsWith("ies")) {
      w = w.slice(0, -2);
    } else if (w.endsWith("s") && !w.endsWith("ss")) {
      w = w.slice(0, -1);
    }
    if (w.endsWith("eed")) {
      if (measure(w.slice(0, -3)) > 0) {
        w = w.slice(0, -1);
      }
    } else {
      var suffix = w.endsWith("ed") ? 2 : w.endsWith("ing") ? 3 : 0;
      if (suffix > 0 && hasVowel(w.slice(0, -suffix))) {
        w = w.slice(0, -suffix);
        var last = w.charAt(w.length - 1);
        if (w.endsWith("at") || w.endsWith("bl") || w.endsWith("iz")) {
          w += "e";
        } else if (endsDoubleConsonant(w) && last !== "l" && last !== "s" && last !== "z") {
          w = w.slice(0, -1);
        } else if (measure(w) === 1 && endsCvc(w)) {
          w += "e";
        }
      }
    }
    if (w.endsWith("y") && hasVowel(w.slice(0, -1))) {
      w = w.slice(0, -1) + "i";
    }
    return w;
  }

  function isConsonant(w, i) {
    var c = w.charAt(i);
    if ("aeiou".indexOf(c) >= 0) {
      return false;
    }
    if (c === "y") {
      return i === 0 || !isConsonant(w, i - 1);
    }
    return true;
  }

  function measure(w) {
    var m = 0, previousVowel = false;
    for (var i = 0; i < w.length; i++) {
      var consonant = isConsonant(w, i);
      if (consonant && previousVowel) {
        m++;
      }
      previousVowel = !consonant;
    }
    return m;
  }

  function hasVowel(w) {
    for (var i = 0; i < w.length; i++) {
      if (!isConsonant(w, i)) {
        return true;
      }
    }
    return false;
  }

  function endsDoubleConsonant(w) {
    var n = w.length;
    return n >= 2 && w.charAt(n - 1) === w.charAt(n - 2) && isConsonant(w, n - 1);
  }

  function endsCvc(w) {
    var n = w.length;
    return n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1) &&
      "wxy".indexOf(w.charAt(n - 1)) < 0;
  }

  // FNV-1a over UTF-8 bytes, as term_hash in tokenize.rs.
  function termHash(term) {
    var hash = 0x811c9dc5;
    var bytes = new TextEncoder().encode(term);
    for (var i = 0; i < bytes.length; i++) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193);
    }
    return hash >>> 0;
  }

  function fetchJson(url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      return response.json();
    });
  }

  // Documents holding every term, best first (ties: lower number, the newer, first).
  function rank(indexUrl, queryTerms) {
    // The manifest is checked with the server on every search; the files it names carry its
    // stamp, so a cached file of another build is never used with it.
    return fetchJson(indexUrl + "index.json", { cache: "no-cache" }).then(function (manifest) {
      if (manifest.version !== FORMAT_VERSION) {
        throw new Error("search index format " + manifest.version);
      }
      stamp = "?v=" + manifest.stamp;
      var shardFiles = new Map();
      queryTerms.forEach(function (term) {
        var n = termHash(term) % manifest.shards;
        if (!shardFiles.has(n)) {
          shardFiles.set(n, fetchJson(indexUrl + "shard-" + n + ".json" + stamp));
        }
      });
      return Promise.all(queryTerms.map(function (term) {
        return shardFiles.get(termHash(term) % manifest.shards).then(function (shard) {
          return Object.prototype.hasOwnProperty.call(shard, term) ? shard[term] : null;
        });
      }));
    }).then(function (lists) {
      if (lists.length === 0 || lists.some(function (l) { return l === null; })) {
        return [];
      }
      var scores = null;
      lists.forEach(function (flat) {
        var next = new Map();
        var doc = 0;
        for (var i = 0; i < flat.length; i += 2) {
          doc += flat[i];
          if (scores === null) {
            next.set(doc, flat[i + 1]);
          } else if (scores.has(doc)) {
            next.set(doc, scores.get(doc) + flat[i + 1]);
          }
        }
        scores = next;
      });
      return Array.from(scores.entries())
        .map(function (e) { return { doc: e[0], score: e[1] }; })
        .sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    });
  }

  // Where the query's terms are in `text`: merged [start, end) ranges.
  function matches(text, wanted) {
    var ranges = [];
    tokenize(text).forEach(function (t) {
      if (!wanted.has(t.term)) {
        return;
      }
      var last = ranges[ranges.length - 1];
      if (last && t.start <= last[1]) {
        last[1] = Math.max(last[1], t.end);
      } else {
        ranges.push([t.start, t.end]);
      }
    });
    return ranges;
  }

  // `text` with `ranges` in <mark>, as DOM nodes (never HTML strings).
  function highlighted(text, ranges, from, to) {
    var fragment = document.createDocumentFragment();
    var at = from;
    ranges.forEach(function (r) {
      var start = Math.max(r[0], from), end = Math.min(r[1], to);
      if (start >= end) {
        return;
      }
      fragment.appendChild(document.createTextNode(text.slice(at, start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      fragment.appendChild(mark);
      at = end;
    });
    fragment.appendChild(document.createTextNode(text.slice(at, to)));
    return fragment;
  }

  // A window of the body around the first match (else the summary), matches marked.
  function snippet(doc, wanted) {
    var text = doc.text, ranges = matches(text, wanted);
    if (ranges.length === 0) {
      text = doc.summary || doc.text;
      ranges = matches(text, wanted);
    }
    var from = 0;
    if (ranges.length > 0 && ranges[0][0] > SNIPPET_CHARS / 3) {
      from = text.lastIndexOf(" ", ranges[0][0] - SNIPPET_CHARS / 3) + 1;
    }
    var to = Math.min(text.length, from + SNIPPET_CHARS);
    if (to < text.length) {
      var space = text.lastIndexOf(" ", to);
      to = space > from ? space : to;
    }
    var fragment = document.createDocumentFragment();
    if (from > 0) {
      fragment.appendChild(document.createTextNode("… "));
    }
    fragment.appendChild(highlighted(text, ranges, from, to));
    if (to < text.length) {
      fragment.appendChild(document.createTextNode(" …"));
    }
    return fragment;
  }

  function resultItem(doc, wanted) {
    var item = document.createElement("li");
    var heading = document.createElement("h3");
    var link = document.createElement("a");
    link.href = doc.url;
    link.appendChild(highlighted(doc.title, matches(doc.title, wanted), 0, doc.title.length));
    heading.appendChild(link);
    var meta = document.createElement("p");
    meta.className = "meta";
    var time = document.createElement("time");
    time.dateTime = doc.datetime;
    time.textContent = doc.date;
    meta.appendChild(time);
    meta.appendChild(document.createTextNode(" · " + doc.section));
    var text = document.createElement("p");
    text.className = "snippet";
    text.appendChild(snippet(doc, wanted));
    item.appendChild(heading);
    item.appendChild(meta);
    item.appendChild(text);
    return item;
  }

  function start(root) {
    var indexUrl = root.dataset.index;
    var status = root.querySelector(".search-status");
    var list = root.querySelector(".search-results");
    var more = root.querySelector(".search-more");
    var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
    document.querySelectorAll("input[name=q]").forEach(function (input) { input.value = query; });
    var message = function (template, count) {
      return template.replace("{query}", query).replace("{count}", String(count));
    };
    var show = function (state, text) {
      root.dataset.state = state;
      status.textContent = text;
    };
    var queryTerms = Array.from(new Set(terms(query)));
    if (query !== "") {
      // The language switcher leads to the same search in the other language.
      document.querySelectorAll(".language-switcher a[href$='/search/']").forEach(function (a) {
        a.href = a.getAttribute("href") + "?q=" + encodeURIComponent(query);
      });
    }
    if (query === "") {
      show("idle", root.dataset.tPrompt);
      return;
    }
    if (queryTerms.length === 0) {
      show("none", message(root.dataset.tNone, 0));
      return;
    }
    // A one-syllable term is indexed only where the syllable stands alone (longer Korean words
    // are indexed as pairs of syllables), so the page says why it finds little.
    var hint = root.querySelector(".search-hint");
    var oneSyllable = queryTerms.find(function (term) {
      return Array.from(term).length === 1 && classOf(term.codePointAt(0)) === CJK;
    });
    if (hint && oneSyllable && root.dataset.tOneSyllable) {
      hint.textContent = root.dataset.tOneSyllable.replace("{term}", oneSyllable);
      hint.hidden = false;
    }
    var wanted = new Set(queryTerms);
    show("loading", root.dataset.tLoading);
    rank(indexUrl, queryTerms).then(function (hits) {
      if (hits.length === 0) {
        show("none", message(root.dataset.tNone, 0));
        return;
      }
      var shown = 0;
      var showMore = function () {
        var page = hits.slice(shown, shown + PAGE_SIZE);
        shown += page.length;
        more.hidden = true;
        return Promise.all(page.map(function (hit) {
          return fetchJson(indexUrl + "docs/" + hit.doc + ".json" + stamp);
        })).then(function (docs) {
          docs.forEach(function (doc) { list.appendChild(resultItem(doc, wanted)); });
          more.hidden = shown >= hits.length;
          show("done", message(root.dataset.tResults, hits.length));
        });
      };
      more.addEventListener("click", function () {
        showMore().catch(function () { show("error", root.dataset.tError); });
      });
      return showMore();
    }).catch(function () {
      show("error", root.dataset.tError);
    });
  }

  window.communiqueSearch = { tokenize: tokenize, terms: terms, stem: stem, termHash: termHash };
  var root = document.getElementById("search");
  if (root && root.dataset.index) {
    start(root);
  }
})();
