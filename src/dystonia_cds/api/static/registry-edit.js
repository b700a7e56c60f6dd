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
  const fill = (kind, items, values) => {
    if (items === undefined || items === null) return;
    if (!items.length) { $(`none-${kind}`).checked = true; return; }
    items.forEach((item) => {
      const row = window.DystoniaRows.addRow(kind);
      Object.entries(values(item)).forEach(([k, v]) => {
        const el = row.querySelector(`[data-key="${k}"]`);
        if (el && v !== undefined && v !== null) el.value = String(v);
      });
    });
  };
  fill("events", stored.events, (e) => e);
  fill("medications", stored.medications, (m) => m);
  fill("imaging", stored.imaging, (im) => {
    const les = (im.lesions || [])[0] || {};
    return { modality: im.modality, normal: im.normal, lesion_side: les.side, lesion_structure: les.structure };
  });
  fill("genetics", stored.genetics, (g) => g);
  if (stored.family_history) put("f-family", stored.family_history.dystonia);
  window.scrollTo(0, 0);
  form.querySelector("select, input:not([type=hidden])").focus();
})();
