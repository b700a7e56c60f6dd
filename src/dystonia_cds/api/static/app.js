/* dystonia-cds questionnaire: builds a Case in the page (no server state), asks the engine
   for its next questions after each step, and posts the Case to /report. */
"use strict";
(function () {
  const mode = document.body.dataset.mode;
  const form = document.getElementById("case-form");
  const $ = (id) => document.getElementById(id);
  const val = (id) => { const el = $(id); return el ? el.value.trim() : ""; };
  const checked = (name) => { const el = form.querySelector(`input[name="${name}"]:checked`);
    return el ? el.value : ""; };
  const tri = (v) => (v === "true" || v === "yes") ? true : (v === "false" || v === "no") ? false : null;
  const dur = (n, unit) => (n === "" ? null : (unit === "W" ? `P${Number(n) * 7}D` : `P${Number(n)}${unit}`));
  const setIf = (obj, key, value) => { if (value !== null && value !== "" && value !== undefined) obj[key] = value; };

  function regions() {
    const out = [];
    form.querySelectorAll('input[name="region"]:checked').forEach((box) => {
      const r = { region: box.value };
      setIf(r, "side", val(`side-${box.value}`));
      out.push(r);
    });
    return out;
  }

  function patientCase() {
    const d = { regions: regions() };
    const c = { schema: "dystonia-cds/case/v1", patient: {}, dystonia: d };
    setIf(c.patient, "age", val("age-now") && `P${Number(val("age-now"))}Y`);
    setIf(d, "onset", val("onset-age") && `P${Number(val("onset-age"))}Y`);
    const trick = checked("sensory_trick"); if (trick) d.sensory_trick = trick;
    setIf(d, "persists_in_sleep", tri(checked("sleep")));
    const course = checked("course"); if (course) d.course = course;
    setIf(d, "fixed_posture", tri(checked("fixed")));
    const feats = [...form.querySelectorAll('input[name="feature"]:checked')].map((x) => x.value);
    if (feats.length) d.features = feats; else if ($("features-none").checked) d.features = [];
    const ev = val("event-type");
    if (ev === "none") c.events = [];
    else if (ev) {
      const e = { type: ev };
      setIf(e, "before_onset", dur(val("event-ago"), val("event-ago-unit")));
      setIf(e, "body_site", val("event-site"));
      setIf(e, "side", val("event-side"));
      setIf(e, "severity", val("event-severity"));
      c.events = [e];
    }
    const meds = checked("meds");
    if (meds === "none") c.medications = [];
    else if (meds === "yes" && val("drug-name")) {
      const m = { drug: val("drug-name") };
      setIf(m, "before_onset", dur(val("drug-ago"), val("drug-ago-unit")));
      c.medications = [m];
    }
    const scan = checked("scan");
    if (scan === "none") c.imaging = [];
    else if (scan === "normal") c.imaging = [{ modality: "MRI", normal: true }];
    else if (scan === "abnormal") {
      const les = { structure: val("scan-structure") || "other" };
      setIf(les, "side", val("scan-side"));
      c.imaging = [{ modality: "MRI", normal: false, lesions: [les] }];
    }
    const fam = tri(checked("family")); if (fam !== null) c.family_history = { dystonia: fam };
    return c;
  }

  function rowValues(row) {
    const o = {};
    row.querySelectorAll("[data-key]").forEach((el) => setIf(o, el.dataset.key, el.value.trim()));
    return o;
  }

  function listSection(kind, convert) {
    const rows = [...$(`rows-${kind}`).querySelectorAll(".row")].map(rowValues).map(convert);
    return rows.length ? rows : ($(`none-${kind}`).checked ? [] : undefined);
  }

  function clinicianCase() {
    const d = { regions: regions() };
    const c = { schema: "dystonia-cds/case/v1", patient: {}, dystonia: d };
    setIf(c, "id", val("f-id"));
    setIf(c.patient, "sex", val("f-sex"));
    setIf(c.patient, "age", val("f-age"));
    setIf(d, "onset", val("f-onset"));
    setIf(d, "onset_region", val("f-onset-region"));
    setIf(d, "course", val("f-course"));
    setIf(d, "sensory_trick", val("f-trick"));
    setIf(d, "persists_in_sleep", tri(val("f-sleep")));
    setIf(d, "fixed_posture", tri(val("f-fixed")));
    const variability = [...form.querySelectorAll('input[name="variability"]:checked')].map((x) => x.value);
    if (variability.length) d.variability = variability;
    const present = [], absent = [];
    form.querySelectorAll(".feature-select").forEach((s) => {
      if (s.value === "present") present.push(s.dataset.feature);
      if (s.value === "absent") absent.push(s.dataset.feature);
    });
    if (present.length || absent.length) { d.features = present; }
    if (absent.length) d.excluded_features = absent;
    setIf(c, "events", listSection("events", (o) => o));
    setIf(c, "medications", listSection("medications", (o) => o));
    setIf(c, "imaging", listSection("imaging", (o) => {
      const im = { modality: o.modality || "MRI" };
      setIf(im, "normal", tri(o.normal || ""));
      if (o.lesion_structure) {
        const les = { structure: o.lesion_structure }; setIf(les, "side", o.lesion_side);
        im.lesions = [les];
      }
      return im;
    }));
    setIf(c, "genetics", listSection("genetics", (o) => o));
    const fam = tri(val("f-family")); if (fam !== null) c.family_history = { dystonia: fam };
    if (!Object.keys(c.patient).length) delete c.patient;
    return c;
  }

  const buildCase = () => (mode === "patient" ? patientCase() : clinicianCase());

  function showErrors(problem) {
    const box = $("errors");
    box.replaceChildren();
    if (!problem) { box.hidden = true; return; }
    const h = document.createElement("p");
    h.textContent = problem.title || "The case has problems";
    const ul = document.createElement("ul");
    (problem.errors || []).forEach((e) => {
      const li = document.createElement("li");
      li.textContent = `${e.field}: ${e.message}` + (e.value != null ? ` (given: “${e.value}”)` : "")
        + (e.solution ? ` — ${e.solution}` : "");
      ul.appendChild(li);
    });
    box.append(h, ul);
    box.hidden = false;
  }

  let lastQuestions = [];
  async function askEngine() {
    const c = buildCase();
    if (!c.dystonia.regions.length) { showErrors(null); return null; }
    const audience = mode === "patient" ? "patient" : "clinician";
    let res;
    try {
      res = await fetch(`/v1/assess?audience=${audience}&questions=true`, { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(c) });
    } catch (err) { return null; }
    const body = await res.json();
    if (!res.ok) { showErrors(body); return null; }
    showErrors(null);
    lastQuestions = body.next_questions.map((q) => q.field.replace(/\[\d+\]/g, "[]"));
    const list = $("suggestion-list");
    list.replaceChildren();
    body.next_questions.forEach((q) => {
      const li = document.createElement("li");
      li.dataset.field = q.field;
      li.textContent = mode === "patient" ? q.plain_question : `${q.question} (${q.why})`;
      list.appendChild(li);
    });
    const top = body.etiology.hypotheses[0];
    $("leading").textContent = `Leading for now: ${mode === "patient" ? top.plain_label : top.label}`
      + ` (${top.support}). This changes as you answer.`;
    $("suggestions").hidden = false;
    document.dispatchEvent(new CustomEvent("engine-updated", { detail: body }));
    return body;
  }

  form.addEventListener("submit", (ev) => {
    const c = buildCase();
    if (!c.dystonia.regions.length) {
      ev.preventDefault();
      showErrors({ title: "Please choose at least one affected body part",
        errors: [{ field: "dystonia.regions", message: "at least one region is needed" }] });
      $("errors").scrollIntoView();
      return;
    }
    $("case-json").value = JSON.stringify(c);
  });

  if (mode === "patient") window.DystoniaSteps.init({ askEngine, questions: () => lastQuestions });
  else window.DystoniaRows.init({ askEngine });
})();
