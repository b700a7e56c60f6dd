/* Registry edit page: fill the clinician form with the stored case, so an edit starts from
   the current version; app.js builds the Case again on submit (posted to /registry/save). */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const report = $("show-report"); if (report) report.hidden = true;  // this form saves
  const stored = JSON.parse($("stored-case").textContent);
  if (!stored) return;
  const put = (id, v) => { const el = $(id); if (el && v !== undefined && v !== null) el.value = String(v); };
  const p = stored.patient || {}, d = stored.dystonia || {};
  const form = $("case-form");
  put("f-id", stored.id); put("f-sex", p.sex); put("f-age", p.age);
  put("f-onset", d.onset); put("f-onset-region", d.onset_region); put("f-course", d.course);
  put("f-trick", d.sensory_trick); put("f-sleep", d.persists_in_sleep); put("f-fixed", d.fixed_posture);
  $("f-id").readOnly = true;
  (d.regions || []).forEach((r) => {
    const box = $(`region-${r.region}`); if (box) box.checked = true;
    put(`side-${r.region}`, r.side);
  });
  (d.variability || []).forEach((v) => { const b = $(`var-${v}`); if (b) b.checked = true; });
  (d.features || []).forEach((f) => put(`feat-${f}`, "present"));
  (d.excluded_features || []).forEach((f) => put(`feat-${f}`, "absent"));
  const setAll = (root, values) => Object.entries(values).forEach(([k, v]) => {
    const el = root.querySelector(`:scope [data-key="${k}"]`);
    if (el && v !== undefined && v !== null && typeof v !== "object") el.value = String(v);
  });
  // Each prefilled row (and lesion) remembers which stored item it shows: on save the
  // server keeps that item's fields the form does not show (notes, variants, volumes).
  const fill = (kind, items) => {
    if (items === undefined || items === null) return;
    if (!items.length) { $(`none-${kind}`).checked = true; return; }
    items.forEach((item, i) => {
      const row = window.DystoniaRows.addRow(kind);
      row.dataset.stored = String(i);
      const { lesions, ...rest } = item;
      setAll(row, rest);
      (kind === "imaging" ? lesions || [] : []).forEach((les, j) => {
        const box = window.DystoniaRows.addLesion(row);
        box.dataset.stored = String(j);
        setAll(box, les);
      });
    });
  };
  fill("events", stored.events);
  fill("medications", stored.medications);
  fill("imaging", stored.imaging);
  fill("genetics", stored.genetics);
  const at = (el) => (el.dataset.stored === undefined ? null : Number(el.dataset.stored));
  const kept = (les) => [...les.querySelectorAll("[data-key]")].some((el) => el.value.trim());
  form.addEventListener("submit", () => {
    const origin = {};
    ["events", "medications", "imaging", "genetics"].forEach((kind) => {
      origin[kind] = [...$(`rows-${kind}`).querySelectorAll(":scope > .row")].map((row) => (
        kind !== "imaging" ? at(row)
          : { i: at(row), lesions: [...row.querySelectorAll(".lesion")].filter(kept).map(at) }));
    });
    $("edit-origin").value = JSON.stringify(origin);
  });
  if (stored.family_history) put("f-family", stored.family_history.dystonia);
  window.scrollTo(0, 0);
  form.querySelector("select, input:not([type=hidden])").focus();
})();
