// The product's words for the server's codes, in one place, so every screen says "Hives" for
// skin.urticaria and explains "ISM" where it appears. The server's glossary (GET glossary, in the
// reader's language: the patient's word of each clinical term, docs/glossary.md) comes first;
// these words, compiled into the app's catalogue, are what shows before it has been fetched once
// (offline) and for codes it does not know. `say()` reads one.
import { msg } from '@lingui/core/macro';
import { api } from './api.js';
import { i18n } from './i18n.js';
import { kvGet, kvSet } from './idb.js';
import { humanize } from './ui.jsx';

const GLOSSARY_KIND = Symbol('glossary kind');
const glossaryKind = (kind, table) => Object.defineProperty(table, GLOSSARY_KIND, { value: kind });
let glossary = null;
let glossaryLocale = null;

// Fetched once a session (and kept on the phone for the next start offline).
export async function loadGlossary() {
  const key = `glossary:${i18n.locale}`;
  if (glossaryLocale !== i18n.locale) glossary = null;
  glossaryLocale = i18n.locale;
  glossary = glossary || (await kvGet(key).catch(() => null));
  try {
    const kinds = ['symptom_domain', 'anaphylaxis_finding', 'sm_subtype', 'trigger_category', 'route', 'injection_site', 'lab_analyte'];
    const answer = await api(`glossary?${kinds.map((kind) => `kind=${kind}`).join('&')}`);
    glossary = answer.terms;
    kvSet(key, glossary).catch(() => {});
  } catch {
    // Offline or an older server: the app's own words stand in.
  }
  return glossary;
}

export function say(table, code) {
  const word = glossary?.[table[GLOSSARY_KIND]]?.[code]?.name;
  if (word) return table === SUBTYPES && code !== 'unknown' ? `${word} (${code})` : word;
  const entry = table[code];
  if (!entry) return humanize(code);
  return i18n._(Array.isArray(entry) ? entry[0] : entry);
}

// The quick-log chips: the common symptoms, by their catalogue codes (works offline).
export const COMMON_SYMPTOMS = {
  'skin.flushing': msg`Flushing`,
  'skin.itching': msg`Itching`,
  'skin.hives': msg`Hives`,
  'gi.abdominal_pain': msg`Abdominal pain`,
  'gi.diarrhoea': msg`Diarrhoea`,
  'neuro.headache': msg`Headache`,
  'const.fatigue': msg`Fatigue`,
  'neuro.brain_fog': msg`Brain fog`,
};

// Anaphylaxis findings in everyday words (apps/diary/rules.py ANAPHYLAXIS_FINDINGS).
export const FINDINGS = glossaryKind('anaphylaxis_finding', {
  'skin.flushing': msg`Flushing`,
  'skin.urticaria': msg`Hives`,
  'skin.angioedema': msg`Swelling of lips, eyes or face`,
  'skin.erythema': msg`Redness all over`,
  'resp.wheeze': msg`Wheezing`,
  'resp.throat_tightness': msg`Tight throat`,
  'resp.dyspnoea': msg`Short of breath`,
  'resp.stridor': msg`Noisy, high-pitched breathing`,
  'resp.hypoxia': msg`Blue lips, or oxygen at 92 % or lower`,
  'cv.presyncope': msg`Dizzy, about to faint`,
  'cv.chest_tightness': msg`Tight chest`,
  'cv.diaphoresis': msg`Sweating`,
  'cv.hypotension': msg`Low blood pressure`,
  'gi.nausea': msg`Feeling sick`,
  'gi.vomiting': msg`Vomiting`,
  'gi.abdominal_pain': msg`Stomach pain`,
  'neuro.confusion': msg`Confused`,
  'neuro.collapse': msg`Collapsed`,
  'neuro.loss_of_consciousness': msg`Passed out`,
  'neuro.incontinence': msg`Lost bladder or bowel control`,
});

// Diagnoses: the abbreviation a clinic letter uses, in words, with what it means.
export const SUBTYPES = glossaryKind('sm_subtype', {
  ISM: [msg`Indolent systemic mastocytosis (ISM)`, msg`The most common form: symptoms from mast cells, slow to change.`],
  BMM: [msg`Bone-marrow mastocytosis (BMM)`, msg`Mast cells mainly in the bone marrow, usually without skin lesions.`],
  SSM: [msg`Smoldering systemic mastocytosis (SSM)`, msg`More mast cells in the body, followed closely, not aggressive.`],
  ASM: [msg`Aggressive systemic mastocytosis (ASM)`, msg`An advanced form in which mast cells harm organs.`],
  'SM-AHN': [msg`Systemic mastocytosis with another blood disorder (SM-AHN)`, msg`An advanced form that comes with a second blood condition.`],
  MCL: [msg`Mast cell leukaemia (MCL)`, msg`A rare advanced form with many mast cells in the blood or marrow.`],
  CM: [msg`Cutaneous mastocytosis (CM)`, msg`Mast cells in the skin only, often in children (urticaria pigmentosa).`],
  MCAS: [msg`Mast cell activation syndrome (MCAS)`, msg`Mast-cell symptoms without extra mast cells.`],
  unknown: [msg`Not known yet`, msg`The care team has not named the form yet.`],
});

export const KIT = {
  positive: msg`KIT D816V found`,
  negative: msg`KIT D816V not found`,
  not_tested: msg`KIT D816V not tested`,
  unknown: msg`KIT D816V: not known`,
};

export const ROLES = {
  owner: msg`Owner`,
  caregiver: msg`Caregiver`,
  clinician: msg`Clinician`,
};

export const ROLE_HINTS = {
  owner: msg`Full control, including who sees the record`,
  caregiver: msg`Logs for the patient and gets the alerts`,
  clinician: msg`Reads the record, adds lab results and clinic doses`,
};

export const SITES = glossaryKind('injection_site', {
  abdomen_left: msg`Abdomen, left`,
  abdomen_right: msg`Abdomen, right`,
  thigh_left: msg`Thigh, left`,
  thigh_right: msg`Thigh, right`,
  upper_arm_left: msg`Upper arm, left`,
  upper_arm_right: msg`Upper arm, right`,
});

export const BODY_AREAS = {
  head: msg`Head`,
  face: msg`Face`,
  neck: msg`Neck`,
  chest: msg`Chest`,
  back: msg`Back`,
  abdomen: msg`Belly`,
  arms: msg`Arms`,
  hands: msg`Hands`,
  legs: msg`Legs`,
  feet: msg`Feet`,
  groin: msg`Groin`,
  whole_body: msg`Whole body`,
};

export const DOMAINS = glossaryKind('symptom_domain', {
  skin: msg`Skin`,
  gastrointestinal: msg`Stomach and gut`,
  cardiovascular: msg`Heart and circulation`,
  respiratory: msg`Breathing`,
  musculoskeletal: msg`Bones, muscles and joints`,
  neuropsychological: msg`Head, mood and sleep`,
  constitutional: msg`Whole body`,
});

export const TRIGGER_CATEGORIES = glossaryKind('trigger_category', {
  food: msg`Food`,
  drink: msg`Drink and alcohol`,
  temperature: msg`Heat, cold and temperature change`,
  physical: msg`Friction, pressure and exercise`,
  emotional: msg`Emotional stress`,
  infection: msg`Infection`,
  insect_sting: msg`Insect sting`,
  medication: msg`Medication`,
  procedure: msg`Procedure, anaesthesia, contrast`,
  environment: msg`Environment and fragrance`,
});

export const PEN_STATES = {
  in_use: msg`Ready`,
  used: msg`Used`,
  expired: msg`Expired`,
  discarded: msg`Replaced or thrown away`,
};

export const NOTIFICATION_CATEGORIES = {
  dose_reminder: msg`Dose reminders`,
  dose_overdue: msg`Missed doses`,
  relapse_watch: msg`Nearing the relapse window after a missed dose`,
  pen_expiry: msg`Pens about to expire`,
  carry_check: msg`The daily carry check`,
  pen_used: msg`A pen was used`,
};

export const ROUTES_OF_GIVING = glossaryKind('route', {
  oral: msg`By mouth`,
  subcutaneous: msg`Injection under the skin`,
  intramuscular: msg`Injection into a muscle`,
  intravenous: msg`Drip (intravenous)`,
  topical: msg`On the skin`,
  inhaled: msg`Inhaled`,
  nasal: msg`In the nose`,
  other: msg`Another way`,
});

export const LAB_ANALYTES = glossaryKind('lab_analyte', {
  tryptase: [msg`Serum tryptase`, 'ng/mL'],
  kit_d816v: [msg`KIT D816V allele burden`, '%'],
  total_ige: [msg`Total IgE`, 'IU/mL'],
});

export const DIARY_KINDS = {
  symptom: msg`Symptom`,
  check_in: msg`Check-in`,
  trigger_exposure: msg`Trigger`,
  anaphylaxis_episode: msg`Anaphylaxis`,
  lab_result: msg`Lab result`,
  dose: msg`Dose`,
};
