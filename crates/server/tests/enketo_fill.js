// Run by the browser test through WebDriver's asynchronous script, after scripts/enketo/build.sh's
// bundle: fills Vigie's XForm with enketo-core as a monitor would (an incident in Sévaré, two
// victims in the repeat group, the second with two violations) and posts the submission, as
// Enketo does, to ODK Collect's submission URL. Arguments: the XForm, the submission URL, the
// callback, called with what happened.
const [xform, url, done] = arguments;
(async () => {
  const { transform, Form } = window.VigieEnketo;
  const transformed = await transform({ xform });
  const host = document.createElement('div');
  host.innerHTML = transformed.form;
  document.body.appendChild(host);
  const formEl = host.querySelector('form.or');
  const form = new Form(formEl, { modelStr: transformed.model }, {});
  const loadErrors = form.init();
  const change = el => el.dispatchEvent(new Event('change', { bubbles: true }));
  // A question's inputs: by name, or in a repeat, by data-name (radio buttons there are renamed).
  const inputs = (root, name) => [...root.querySelectorAll('[name], [data-name]')]
    .filter(e => e.getAttribute('data-name') === name || e.getAttribute('name') === name);
  const set = (root, name, value) => {
    const fields = inputs(root, name);
    if (fields.length === 0) throw new Error(`no field ${name}`);
    for (const field of fields) {
      if (field.type === 'radio' || field.type === 'checkbox') {
        const chosen = value.split(' ').includes(field.value);
        if (field.checked !== chosen) { field.checked = chosen; change(field); }
      } else if (field.tagName === 'SELECT') {
        // A cascade's choices appear once the question before it is answered.
        if (![...field.options].some(o => o.value === value)) throw new Error(`${name}: no choice ${value}`);
        field.value = value; change(field);
      } else {
        field.value = value; change(field);
      }
    }
  };
  set(formEl, '/data/incident/incident_date', '2021-11-18');
  set(formEl, '/data/incident/report_date', '2021-11-19');
  set(formEl, '/data/incident/admin1', 'ML04');
  set(formEl, '/data/incident/admin2', 'ML0405');
  set(formEl, '/data/incident/admin3', 'ML040503');
  set(formEl, '/data/incident/perpetrator', 'UNID_ARMED');
  set(formEl, '/data/incident/place', 'ROAD');
  set(formEl, '/data/incident/time_slot', 'DAY');
  set(formEl, '/data/incident/organization', 'NRC');
  set(formEl, '/data/incident/narrative', 'Récit saisi dans Enketo');
  formEl.querySelector('.add-repeat-btn').click();
  const victims = formEl.querySelectorAll('.or-repeat[name="/data/victims"]');
  const people = [['F', 'ADULT', 'TRADER', 'IDP', 'E1'], ['M', 'CHILD', 'FARMER', 'RESIDENT', 'E1 B1']];
  people.forEach(([sex, age, occupation, population, violations], i) => {
    set(victims[i], '/data/victims/sex', sex);
    set(victims[i], '/data/victims/age_group', age);
    set(victims[i], '/data/victims/occupation', occupation);
    set(victims[i], '/data/victims/population', population);
    set(victims[i], '/data/victims/violations', violations);
  });
  const valid = await form.validate();
  const invalid = [...formEl.querySelectorAll('.invalid-required, .invalid-constraint')]
    .map(q => q.querySelector('[data-name], [name]')?.getAttribute('data-name') || q.querySelector('[name]')?.name);
  const xml = form.getDataStr();
  const body = new FormData();
  body.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'xml_submission_file.xml');
  const answer = await fetch(url, { method: 'POST', body, headers: { 'X-OpenRosa-Version': '1.0' } });
  return { loadErrors, valid, invalid, victims: victims.length, xml, status: answer.status, answer: await answer.text() };
})().then(done, e => done({ error: `${e}\n${e.stack}` }));
