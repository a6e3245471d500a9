// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// After a refused submit, start from the list of errors (on "load": after the browser has gone
// to the form's #fragment, which would take the focus away); each of its links focuses its field.
window.addEventListener("load", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  field.scrollIntoView({ block: "center" });
  field.focus();
});

// Times sent in UTC are shown in the reader's own time zone, named, once the page has loaded.
const localTime = new Intl.DateTimeFormat(undefined, {
  weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  timeZoneName: "short",
});
function showLocalTimes(root) {
  root.querySelectorAll("time[data-local]").forEach((element) => {
    const moment = new Date(element.getAttribute("datetime"));
    if (Number.isNaN(moment.getTime())) return;
    element.title = element.textContent.trim();
    element.textContent = localTime.format(moment);
    element.removeAttribute("data-local");
  });
}
document.addEventListener("DOMContentLoaded", () => showLocalTimes(document));
document.addEventListener("htmx:afterSwap", (event) => showLocalTimes(event.target));

// The brand page's preview follows the colours as they are picked, with the contrast white text
// reaches on the primary colour (the server checks the same rule when the brand is saved).
(() => {
  const preview = document.querySelector("[data-brand-preview]");
  if (!preview) return;
  const field = (name) => document.getElementById(`id_${name}`);
  const luminance = (hex) => {
    const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const valid = (value) => /^#[0-9a-fA-F]{6}$/.test(value);
  const update = () => {
    const primary = field("primary_color").value;
    const accent = field("accent_color").value;
    if (!valid(primary) || !valid(accent)) return;
    const contrast = Math.min(ratio(primary, "#ffffff"), ratio(primary, "#f5f7fa"));
    const bar = preview.querySelector("[data-preview-bar]");
    bar.style.background = primary;
    // White when it passes; otherwise whichever reads, so the preview itself stays readable.
    bar.style.color = contrast >= 4.5 || ratio("#ffffff", primary) >= ratio("#1c2430", primary) ? "#ffffff" : "#1c2430";
    preview.querySelector("[data-preview-bar]").style.borderBottomColor = accent;
    const mark = preview.querySelector("[data-preview-mark]");
    mark.style.background = accent;
    mark.style.color = ratio("#ffffff", accent) >= ratio("#1c2430", accent) ? "#ffffff" : "#1c2430";
    const name = field("display_name").value;
    preview.querySelector("[data-preview-name]").textContent = name;
    mark.textContent = name.slice(0, 1);
    preview.querySelector("[data-preview-contrast]").textContent = contrast >= 4.5
      ? `White text on ${primary}: ${contrast.toFixed(2)}:1, meets WCAG 2.1 AA.`
      : `White text on ${primary}: ${contrast.toFixed(2)}:1, below the 4.5:1 WCAG 2.1 AA needs; it will be refused.`;
  };
  ["primary_color", "accent_color", "display_name"].forEach((name) => field(name)?.addEventListener("input", update));
})();
