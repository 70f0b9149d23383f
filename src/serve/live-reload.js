// communique serve: reloads the page after each rebuild, and while the site has errors shows
// them over the page (the last good build stays underneath). Injected by `serve` only.
(() => {
  "use strict";
  const version = document.currentScript.dataset.version;
  const korean = (document.documentElement.lang || "").startsWith("ko");
  const text = korean
    ? { title: "사이트에 오류가 있습니다", note: "오류를 고칠 때까지 마지막으로 빌드에 성공한 사이트를 보여 줍니다." }
    : { title: "The site has errors", note: "The last good build is shown until they are fixed." };
  const overlayId = "communique-errors";

  const showErrors = (lines) => {
    document.getElementById(overlayId)?.remove();
    if (lines.length === 0) return;
    const overlay = document.createElement("div");
    overlay.id = overlayId;
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "margin:0;padding:1rem 1.25rem;background:#fff5f5;color:#5c0011;border-top:4px solid #c00;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 -4px 16px #0003";
    const title = document.createElement("strong");
    title.textContent = text.title;
    const note = document.createElement("p");
    note.textContent = text.note;
    note.style.margin = "0.25rem 0 0.75rem";
    const list = document.createElement("pre");
    list.style.cssText = "margin:0;white-space:pre-wrap";
    list.textContent = lines.join("\n");
    overlay.append(title, note, list);
    document.body.append(overlay);
  };

  // What the server last said: its current build, and the errors of a broken save.
  const follow = (state) => {
    if (state.version !== version) location.reload();
    else showErrors(state.errors);
  };

  // One event stream for all the tabs of a browser: each stream holds one of the six
  // connections a browser opens to a server, so a seventh tab would never load. The tab that
  // holds the lock listens and passes what it hears to the others; when it closes, another
  // takes over. Without locks (a page not on localhost) each tab listens for itself.
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("communique-live-reload") : null;
  let state = null;
  const listen = () => {
    const tell = (next) => {
      state = next;
      channel?.postMessage(state);
      follow(state);
    };
    const events = new EventSource("/__communique/events");
    window.communiqueListening = true; // which tab listens, for tests and the curious
    // On (re)connecting: the server's current build; a page older than it reloads.
    events.addEventListener("hello", (event) => tell({ version: event.data, errors: [] }));
    events.addEventListener("reload", (event) => tell({ version: event.data, errors: [] }));
    events.addEventListener("errors", (event) =>
      tell({ version: state ? state.version : version, errors: event.data.split("\n").filter(Boolean) }),
    );
  };
  if (channel && navigator.locks) {
    channel.onmessage = (message) => {
      if (message.data === "ask") {
        if (state) channel.postMessage(state);
      } else {
        follow(message.data);
      }
    };
    navigator.locks.request("communique-live-reload", () => {
      listen();
      return new Promise(() => {}); // held until the tab closes or reloads
    });
    channel.postMessage("ask");
  } else {
    listen();
  }
})();
