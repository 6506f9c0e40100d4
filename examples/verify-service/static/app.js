// The verification page: sends the chosen file to api/v1/preview and shows the answer.
// Everything from the report is hostile data: it is only ever set with textContent.
"use strict";

const TEXT = {
  vi: {
    title: "Kiểm tra văn bản điện tử có chữ ký số",
    intro: "Chọn hoặc kéo thả tệp PDF hoặc XML (kết quả giải quyết thủ tục hành chính) để kiểm tra chữ ký số. Tệp chỉ được kiểm tra, không được lưu lại.",
    drop: "Kéo thả tệp vào đây, hoặc bấm để chọn tệp",
    file: "Tệp",
    download: "Tải báo cáo (JSON)",
    footer: "Kiểm tra bằng libsign. Tệp tải lên không được lưu trữ.",
    busy: "Đang kiểm tra…",
    "TOTAL-PASSED": "Hợp lệ",
    "TOTAL-PASSED.detail": "Chữ ký số đúng, chứng thư số do tổ chức tin cậy cấp, và văn bản không bị thay đổi sau khi ký.",
    INDETERMINATE: "Chưa xác định được",
    "INDETERMINATE.detail": "Văn bản không bị thay đổi sau khi ký, nhưng chưa xác nhận được người ký là đáng tin cậy.",
    "TOTAL-FAILED": "Không hợp lệ",
    "TOTAL-FAILED.detail": "Không được tin vào văn bản này.",
    error: "Không kiểm tra được tệp",
    signature: "Chữ ký",
    signer: "Người ký",
    organization: "Cơ quan, tổ chức",
    identity: "Mã định danh",
    issuer: "Tổ chức cấp chứng thư số",
    time: "Thời điểm ký",
    "time.claimed": "theo máy của người ký, chưa được xác nhận bởi dấu thời gian",
    timestamp: "Dấu thời gian",
    "timestamp.none": "Không có",
    "timestamp.by": "cấp bởi",
    changes: "Thay đổi sau khi ký",
    "changes.NONE": "Không có: văn bản giữ nguyên như khi ký",
    "changes.NONE.later": "Không có thay đổi bị cấm (chỉ thêm chữ ký hoặc dữ liệu kiểm tra sau đó)",
    "changes.ALLOWED": "Có, nhưng là thay đổi được phép",
    "changes.DISALLOWED": "Có: văn bản đã bị thay đổi sau khi ký theo cách không được phép",
    "changes.HASH": "Có: nội dung đã ký đã bị sửa",
    level: "Mức chữ ký",
    revocation: "Tình trạng thu hồi",
    covered: "Nội dung được ký",
    errors: "Lỗi (chi tiết kỹ thuật)",
    warnings: "Lưu ý (chi tiết kỹ thuật)",
    summary: "Báo cáo kiểm tra đầy đủ",
    page: "Trang",
    invisible: "Chữ ký số không hiển thị trên trang",
    "preview.failed": "Không hiển thị được trang",
    "rev.GOOD": "Chứng thư số còn hiệu lực, chưa bị thu hồi",
    "rev.REVOKED": "Chứng thư số đã bị thu hồi",
    "rev.UNKNOWN": "Không xác định (không có thông tin thu hồi)",
    "rev.NOT_CHECKED": "Chưa kiểm tra",
    "sub.HASH_FAILURE": "Văn bản đã bị sửa sau khi ký.",
    "sub.NO_SIGNATURE_FOUND": "Văn bản không có chữ ký số.",
    "sub.SIG_CRYPTO_FAILURE": "Chữ ký số không đúng.",
    "sub.FORMAT_FAILURE": "Chữ ký số không đúng định dạng.",
    "sub.REVOKED": "Chứng thư số của người ký đã bị thu hồi.",
    "sub.NO_CERTIFICATE_CHAIN_FOUND": "Chứng thư số của người ký không do tổ chức được tin cậy cấp.",
    "sub.OUT_OF_BOUNDS_NO_POE": "Chứng thư số đã hết hạn hoặc chưa có hiệu lực khi kiểm tra.",
    "sub.TRY_LATER": "Chưa lấy được thông tin thu hồi chứng thư số; hãy thử lại sau.",
  },
  en: {
    title: "Check a digitally signed e-document",
    intro: "Choose or drop a PDF or XML file (the result of an administrative procedure) to check its digital signatures. The file is only checked, never stored.",
    drop: "Drop the file here, or click to choose it",
    file: "File",
    download: "Download the report (JSON)",
    footer: "Checked by libsign. Uploaded files are not stored.",
    busy: "Checking…",
    "TOTAL-PASSED": "Valid",
    "TOTAL-PASSED.detail": "The digital signatures are correct, the certificates come from a trusted authority, and the document was not changed after signing.",
    INDETERMINATE: "Could not be confirmed",
    "INDETERMINATE.detail": "The document was not changed after signing, but the signer could not be confirmed as trustworthy.",
    "TOTAL-FAILED": "Not valid",
    "TOTAL-FAILED.detail": "Do not rely on this document.",
    error: "The file could not be checked",
    signature: "Signature",
    signer: "Signed by",
    organization: "Organisation",
    identity: "Identifier",
    issuer: "Certificate issued by",
    time: "Signed at",
    "time.claimed": "as claimed by the signer's computer, not confirmed by a timestamp",
    timestamp: "Timestamp",
    "timestamp.none": "None",
    "timestamp.by": "from",
    changes: "Changed after signing",
    "changes.NONE": "No: the document is as it was signed",
    "changes.NONE.later": "No forbidden change (only later signatures or validation data were added)",
    "changes.ALLOWED": "Yes, in ways the signature allows",
    "changes.DISALLOWED": "Yes: the document was changed after signing in ways the signature does not allow",
    "changes.HASH": "Yes: the signed content was modified",
    level: "Signature level",
    revocation: "Revocation status",
    covered: "Signed content",
    errors: "Errors",
    warnings: "Notes",
    summary: "The full verification report",
    page: "Page",
    invisible: "The signature is not visible on the page",
    "preview.failed": "The page could not be shown",
    "rev.GOOD": "Not revoked",
    "rev.REVOKED": "Revoked",
    "rev.UNKNOWN": "Unknown (no revocation information)",
    "rev.NOT_CHECKED": "Not checked",
    "sub.HASH_FAILURE": "The document was modified after it was signed.",
    "sub.NO_SIGNATURE_FOUND": "The document has no digital signature.",
    "sub.SIG_CRYPTO_FAILURE": "The digital signature is wrong.",
    "sub.FORMAT_FAILURE": "The digital signature is malformed.",
    "sub.REVOKED": "The signer's certificate has been revoked.",
    "sub.NO_CERTIFICATE_CHAIN_FOUND": "The signer's certificate was not issued by a trusted authority.",
    "sub.OUT_OF_BOUNDS_NO_POE": "The certificate had expired or was not yet valid when checked.",
    "sub.TRY_LATER": "The certificate's revocation status could not be fetched; try again later.",
  },
};
const STATE = { "TOTAL-PASSED": "ok", INDETERMINATE: "warn", "TOTAL-FAILED": "bad" };

let lang = "vi";
let lastFile = null;
let lastAnswer = null;
let downloadUrl = null;

const $ = (id) => document.getElementById(id);
const t = (key) => TEXT[lang][key] ?? TEXT.en[key] ?? key;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// Splits an RFC 2253 distinguished name ("CN=A\, B, O=C") into {CN: [...], O: [...]}.
function parseDn(dn) {
  const parts = {};
  let current = "";
  const flush = () => {
    const eq = current.indexOf("=");
    if (eq > 0) {
      const key = current.slice(0, eq).trim();
      (parts[key] = parts[key] || []).push(current.slice(eq + 1).trim());
    }
    current = "";
  };
  for (let i = 0; i < (dn || "").length; i++) {
    const c = dn[i];
    if (c === "\\" && i + 1 < dn.length) { current += dn[++i]; continue; }
    if (c === ",") { flush(); continue; }
    current += c;
  }
  flush();
  return parts;
}

function localTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  const shown = d.toLocaleString(lang === "vi" ? "vi-VN" : "en-GB",
    { timeZone: "Asia/Ho_Chi_Minh", dateStyle: "long", timeStyle: "medium" });
  return `${shown} (UTC+7)`;
}

function setLanguage(next) {
  lang = next;
  document.documentElement.lang = next;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const b of document.querySelectorAll(".languages button")) {
    b.setAttribute("aria-pressed", String(b.dataset.lang === next));
  }
  try { localStorage.setItem("libsign-lang", next); } catch (e) { /* private mode */ }
  if (lastFile) check(lastFile); // the report's own messages come in the chosen language
}

function showVerdict(state, title, detail) {
  const v = $("verdict");
  v.dataset.state = state;
  $("verdict-title").textContent = title;
  $("verdict-detail").textContent = detail || "";
}

async function check(file) {
  lastFile = file;
  $("result").hidden = false;
  $("file-name").textContent = file.name;
  $("signatures").replaceChildren();
  $("pages").replaceChildren();
  $("download").hidden = true;
  $("summary-box").hidden = true;
  showVerdict("busy", t("busy"), "");
  const form = new FormData();
  form.append("file", file, file.name);
  let answer;
  try {
    const response = await fetch(`api/v1/preview?lang=${lang}`, { method: "POST", body: form });
    answer = await response.json();
    if (!response.ok) {
      showVerdict("error", t("error"), answer.message || response.statusText);
      return;
    }
  } catch (e) {
    showVerdict("error", t("error"), String(e));
    return;
  }
  if (file !== lastFile) return; // a newer file was chosen meanwhile
  lastAnswer = answer;
  showReport(answer);
}

function verdictDetail(report) {
  const failing = report.signatures.find((s) => s.status === report.status) || {};
  const sub = report.subindication || failing.subindication;
  const plain = sub && TEXT[lang][`sub.${sub}`];
  // The library's own messages are English: the page's plain words come first.
  const first = lang === "en" ? (failing.errors || [])[0] : null;
  if (report.status === "TOTAL-PASSED") return t("TOTAL-PASSED.detail");
  return [plain || t(`${report.status}.detail`), first].filter(Boolean).join(" ");
}

function showReport(answer) {
  const report = answer.report;
  showVerdict(STATE[report.status] || "warn", t(report.status), verdictDetail(report));
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)],
    { type: "application/json" }));
  const link = $("download");
  link.href = downloadUrl;
  link.download = `${report.file || "report"}.json`;
  link.hidden = false;
  $("signatures").replaceChildren(...report.signatures.map((s) => signatureCard(s, answer)));
  $("pages").replaceChildren(...answer.pages.map(pageFigure));
  $("summary").textContent = answer.summary;
  $("summary-box").hidden = false;
  if (answer.preview_error) {
    $("pages").append(el("p", { class: "preview-error" }, `${t("preview.failed")}: ${answer.preview_error}`));
  }
}

function changesText(sig) {
  if (sig.subindication === "HASH_FAILURE") return t("changes.HASH");
  const verdict = sig.modifications.verdict;
  if (verdict === "NONE") return t(sig.covers_whole_document ? "changes.NONE" : "changes.NONE.later");
  return t(`changes.${verdict}`);
}

function signatureCard(sig, answer) {
  const subject = parseDn(sig.signer.subject);
  const issuer = parseDn(sig.signer.issuer);
  const rows = [];
  const row = (key, ...value) => rows.push(el("dt", {}, t(key)), el("dd", { "data-row": key }, ...value));
  row("signer", (subject.CN || [sig.signer.subject || "—"]).join(", "));
  row("organization", [...(subject.OU || []), ...(subject.O || [])].join(", ") || "—");
  if (subject.UID) row("identity", subject.UID.join(", "));
  row("issuer", (issuer.CN || issuer.O || [sig.signer.issuer || "—"]).join(", "));
  const ts = sig.timestamp;
  row("time", localTime(ts ? ts.time : sig.signing_time), ts ? "" : ` (${t("time.claimed")})`);
  row("timestamp", ts ? `${localTime(ts.time)} — ${t("timestamp.by")} ${(parseDn(ts.tsa).CN || [ts.tsa]).join(", ")} (${ts.status})`
    : t("timestamp.none"));
  const changes = el("dd", { "data-row": "changes" }, changesText(sig));
  if (sig.modifications.details.length) {
    changes.append(el("ul", {}, ...sig.modifications.details.map((d) => el("li", {}, d))));
  }
  rows.push(el("dt", {}, t("changes")), changes);
  row("level", sig.level || "—");
  row("revocation", t(`rev.${sig.revocation.status}`) +
    (sig.revocation.source ? ` (${sig.revocation.source})` : ""));
  if (sig.covered.length) {
    row("covered", el("ul", {}, ...sig.covered.map((c) => el("li", {}, c.path || c.uri))));
  }
  if (answer.invisible.includes(sig.index) && answer.report.format === "pdf") {
    row("page", t("invisible"));
  }
  for (const kind of ["errors", "warnings"]) {
    if (sig[kind].length) row(kind, el("ul", {}, ...sig[kind].map((m) => el("li", {}, m))));
  }
  return el("article", { class: "signature", "data-state": STATE[sig.status] || "warn",
                         "data-field": sig.field || "" },
    el("h2", {}, `${t("signature")} ${sig.index + 1}${sig.field ? ` (${sig.field})` : ""}: ${t(sig.status)}`),
    el("dl", {}, ...rows));
}

function pageFigure(page) {
  const sheet = el("div", { class: "sheet" }, el("img", { src: page.image, alt: `${t("page")} ${page.page}` }));
  for (const b of page.boxes) {
    const box = el("div", { class: "box", "data-index": String(b.index), title: b.field },
      el("span", {}, `${t("signature")} ${b.index + 1}`));
    box.style.left = `${b.left * 100}%`;
    box.style.top = `${b.top * 100}%`;
    box.style.width = `${b.width * 100}%`;
    box.style.height = `${b.height * 100}%`;
    sheet.append(box);
  }
  return el("div", { class: "page", "data-page": String(page.page) },
    el("figure", {}, sheet, el("figcaption", {}, `${t("page")} ${page.page}`)));
}

function start() {
  let saved = null;
  try { saved = localStorage.getItem("libsign-lang"); } catch (e) { /* private mode */ }
  for (const b of document.querySelectorAll(".languages button")) {
    b.addEventListener("click", () => setLanguage(b.dataset.lang));
  }
  if (saved === "en" || saved === "vi") setLanguage(saved);
  $("file").addEventListener("change", (e) => { if (e.target.files[0]) check(e.target.files[0]); });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) check(e.dataTransfer.files[0]);
  });
}

document.addEventListener("DOMContentLoaded", start);
