// policy-kb page script (inserted into <head> by policy_kb.app.ui.page_options).
// Gradio renders the page; this file only adds what Gradio has no component for:
//  - a click on a `#clause=<id>` link (an answer's [n], a search hit) opens that clause in the context panel of the
//    tab the link is in, through a visually hidden textbox whose `change` event the app handles (a click in the
//    obligations table is Gradio's own `select` event);
//  - copying text to the clipboard (also on plain http, where navigator.clipboard is missing);
//  - after an answer, scrolling the chat so that the question is at the top and the answer reads from its start.
(() => {
  const panelOf = (el) => (el.closest("#search-results") ? "search" : "chat");

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href^='#clause=']");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const id = decodeURIComponent(link.getAttribute("href").slice("#clause=".length));
    const box = document.querySelector(`#open-clause-${panelOf(link)} textarea, #open-clause-${panelOf(link)} input`);
    if (!box) return;
    box.value = id;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }, true);

  window.policyKb = {
    copy(text) {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text);
      } else {
        const area = document.createElement("textarea");
        area.value = text;
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        area.remove();
      }
      return text;
    },
    showQuestion() {
      // after Gradio has drawn the new messages: the last question at the top of the chat's scrolling area
      requestAnimationFrame(() => {
        const rows = document.querySelectorAll("#chat .message-row.user-row");
        const last = rows[rows.length - 1];
        const scroller = last && last.closest(".bubble-wrap");
        if (!scroller) return;
        scroller.scrollTop += last.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
      });
    },
    reveal(id) {
      const el = document.getElementById(id);
      if (el) el.scrollIntoView({ block: "nearest", behavior: "smooth" });
    },
  };
})();
