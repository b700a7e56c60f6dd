/* dystonia-cds questionnaire: builds a Case in the page (no server state), asks the engine
   for its next questions, and posts the Case to /report. */
"use strict";

/* Times typed as people say them ("52", "3 months", "1 March 2024"), read by the server's
   parser (GET /v1/time, dystonia_cds.durations) and shown back under the field; the ISO
   value understood is what the Case stores. */
window.DystoniaTimes = {
  parse(el) {
    const text = el.value.trim();
    const out = el.parentElement.querySelector("output.parsed");
    if (!text) {
      delete el.dataset.iso; el.removeAttribute("aria-invalid");
      if (out) out.textContent = "";
      return Promise.resolve();
    }
    if (el.dataset.parsedFrom === text) return Promise.resolve();
    const url = `/v1/time?kind=${encodeURIComponent(el.dataset.time)}&text=${encodeURIComponent(text)}`;
    return fetch(url).then((r) => r.json().then((body) => {
      el.dataset.parsedFrom = text;
      if (r.ok) {
        el.dataset.iso = body.iso; el.removeAttribute("aria-invalid");
        if (out) { out.className = "parsed ok"; out.textContent = `Read as: ${body.display} (stored as ${body.iso})`; }
      } else {
        delete el.dataset.iso; el.setAttribute("aria-invalid", "true");
        const e = (body.errors || [])[0];
        if (out) { out.className = "parsed bad"; out.textContent = e ? `Not understood: ${e.message}` : body.title; }
      }
    })).catch(() => {});
  },
  watch(root) {
    root.querySelectorAll("input[data-time]").forEach((el) => {
      el.addEventListener("change", () => window.DystoniaTimes.parse(el));
    });
  },
  all() {
    return Promise.all([...document.querySelectorAll("input[data-time]")].map((el) => window.DystoniaTimes.parse(el)));
  },
  value(el) {
    const text = el.value.trim();
    return text && el.dataset.iso && el.dataset.parsedFrom === text ? el.dataset.iso : text;
  },
};

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
  const keyed = (row, key) => { const el = row.querySelector(`[data-key="${key}"]`); return el ? el.value.trim() : ""; };

  function regions() {
    const out = [];
    form.querySelectorAll('input[name="region"]:checked').forEach((box) => {
      const r = { region: box.value };
      setIf(r, "side", val(`side-${box.value}`));  // "not sure" is "": no side is invented
      out.push(r);
    });
    return out;
  }

  function variability() {
    return [...form.querySelectorAll('input[name="variability"]:checked')].map((x) => x.value);
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
    const v = variability(); if (v.length) d.variability = v;
    const feats = [...form.querySelectorAll('input[name="feature"]:checked')].map((x) => x.value);
    if (feats.length) d.features = feats; else if ($("features-none").checked) d.features = [];
    const had = checked("had_event");
    if (had === "none") c.events = [];
    else if (had === "yes") {
      c.events = [...form.querySelectorAll(".event-row")].map((row) => {
        const e = { type: keyed(row, "type") || "other" };
        setIf(e, "before_onset", dur(keyed(row, "ago"), keyed(row, "unit")));
        setIf(e, "body_site", keyed(row, "body_site"));
        setIf(e, "side", keyed(row, "side"));
        setIf(e, "severity", keyed(row, "severity"));
        return e;
      });
      if (!c.events.length) c.events = [{ type: "other" }];
    }
    const meds = checked("meds");
    if (meds === "none") c.medications = [];
    else if (meds === "yes") {
      const list = [...form.querySelectorAll(".med-row")].filter((row) => keyed(row, "drug")).map((row) => {
        const m = { drug: keyed(row, "drug") };
        setIf(m, "before_onset", dur(keyed(row, "ago"), keyed(row, "unit")));
        return m;
      });
      if (list.length) c.medications = list;
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
    if (!Object.keys(c.patient).length) delete c.patient;
    return c;
  }

  function rowValues(row) {
    const o = {};
    row.querySelectorAll(":scope > .field [data-key], :scope > [data-key], :scope > div > [data-key]").forEach((el) => {
      if (el.closest(".lesion")) return;
      setIf(o, el.dataset.key, el.dataset.time ? window.DystoniaTimes.value(el) : el.value.trim());
    });
    return o;
  }

  function listSection(kind, convert) {
    const rows = [...$(`rows-${kind}`).querySelectorAll(":scope > .row")].map((row) => convert(rowValues(row), row));
    return rows.length ? rows : ($(`none-${kind}`).checked ? [] : undefined);
  }

  function clinicianCase() {
    const d = { regions: regions() };
    const c = { schema: "dystonia-cds/case/v1", patient: {}, dystonia: d };
    setIf(c, "id", val("f-id"));
    setIf(c.patient, "sex", val("f-sex"));
    setIf(c.patient, "age", window.DystoniaTimes.value($("f-age")));
    setIf(d, "onset", window.DystoniaTimes.value($("f-onset")));
    setIf(d, "onset_region", val("f-onset-region"));
    setIf(d, "course", val("f-course"));
    setIf(d, "sensory_trick", val("f-trick"));
    setIf(d, "persists_in_sleep", tri(val("f-sleep")));
    setIf(d, "fixed_posture", tri(val("f-fixed")));
    const v = variability(); if (v.length) d.variability = v;
    const present = [], absent = [];
    form.querySelectorAll(".feature-select").forEach((s) => {
      if (s.value === "present") present.push(s.dataset.feature);
      if (s.value === "absent") absent.push(s.dataset.feature);
    });
    if (present.length || absent.length) { d.features = present; }
    if (absent.length) d.excluded_features = absent;
    setIf(c, "events", listSection("events", (o) => o));
    setIf(c, "medications", listSection("medications", (o) => o));
    setIf(c, "imaging", listSection("imaging", (o, row) => {
      const im = { modality: o.modality || "MRI" };
      setIf(im, "when", o.when);
      setIf(im, "normal", tri(o.normal || ""));
      const lesions = [...row.querySelectorAll(".lesion")].map((les) => {
        const l = {};
        les.querySelectorAll("[data-key]").forEach((el) => setIf(l, el.dataset.key, el.value.trim()));
        if (!l.structure && (l.side || l.nature)) l.structure = "other";
        return l;
      }).filter((l) => l.structure);
      if (lesions.length) im.lesions = lesions;
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
  let asked = 0;  // answers can arrive out of order: only the latest request's is shown
  // withQuestions: also compute the next questions (the costly part of an assessment). The
  // clinician form asks for them only with its "Update next questions" button; every other
  // change updates the leading causes cheaply.
  async function askEngine(withQuestions = true) {
    const mine = ++asked;
    if (mode !== "patient") await window.DystoniaTimes.all();
    const c = buildCase();
    if (!c.dystonia.regions.length) { showErrors(null); return null; }
    const audience = mode === "patient" ? "patient" : "clinician";
    let res;
    try {
      res = await fetch(`/v1/assess?audience=${audience}&questions=${withQuestions}`, { method: "POST",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(c) });
    } catch (err) { return null; }
    const body = await res.json();
    if (mine !== asked) return null;
    if (!res.ok) { if (mode !== "patient") showErrors(body); return null; }
    showErrors(null);
    if (withQuestions) lastQuestions = body.next_questions.map((q) => q.field.replace(/\[\d+\]/g, "[]"));
    if (mode !== "patient") {  // the patient sees no verdict and no list until the end
      const list = $("suggestion-list");
      if (withQuestions) list.replaceChildren();
      body.next_questions.forEach((q) => {
        const li = document.createElement("li");
        li.dataset.field = q.field;
        li.textContent = `${q.question} (${q.why})`;
        list.appendChild(li);
      });
      const top = body.etiology.hypotheses[0];
      $("leading").textContent = `Leading for now: ${top.label} (${top.support}). This changes as you answer.`;
      $("suggestions").hidden = false;
    }
    document.dispatchEvent(new CustomEvent("engine-updated", { detail: body }));
    return body;
  }

  let ready = false;
  window.addEventListener("pageshow", () => { ready = false; });  // back from the report
  form.addEventListener("submit", async (ev) => {
    if (ready) return;  // the second, programmatic submit
    ev.preventDefault();
    if (mode === "patient" && document.body.dataset.step !== "review") {
      $("next").click();  // Enter in a field moves on; only the review page shows the report
      return;
    }
    if (mode !== "patient") await window.DystoniaTimes.all();
    const c = buildCase();
    if (!c.dystonia.regions.length) {
      showErrors({ title: "Please choose at least one affected body part",
        errors: [{ field: "dystonia.regions", message: "at least one region is needed" }] });
      $("errors").scrollIntoView();
      return;
    }
    $("case-json").value = JSON.stringify(c);
    ready = true;
    form.submit();
  });

  window.DystoniaPicker.init();
  if (mode === "patient") window.DystoniaSteps.init({ askEngine, questions: () => lastQuestions });
  else { window.DystoniaTimes.watch(document); window.DystoniaRows.init({ askEngine }); }
  window.DystoniaCase = buildCase;  // for tests and for the curious: the Case the page would send
})();
