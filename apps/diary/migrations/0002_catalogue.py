"""The shared catalogues of SM symptoms (by organ domain) and triggers (by category).

Codes are stable: phones, exports and other records refer to them. Ids are uuid5 of the code, so
every installation has the same ids. A later change to the catalogue is a new migration: never
edit or delete a row here (entries point at them); rename with care and only add.
"""

import uuid

from django.db import migrations

_NAMESPACE = uuid.UUID("0b6f5d0e-8d0f-4c1c-9d43-5c3f2a9e7d21")

SYMPTOMS = [
    # skin
    ("skin.flushing", "Flushing", "skin"),
    ("skin.itching", "Itching", "skin"),
    ("skin.hives", "Hives (urticaria)", "skin"),
    ("skin.lesion_swelling", "Swelling or redness of skin lesions (Darier's sign)", "skin"),
    ("skin.blistering", "Blistering", "skin"),
    ("skin.angioedema", "Swelling of lips, eyes or face", "skin"),
    # gastrointestinal
    ("gi.abdominal_pain", "Abdominal pain", "gastrointestinal"),
    ("gi.cramping", "Abdominal cramping", "gastrointestinal"),
    ("gi.heartburn", "Heartburn", "gastrointestinal"),
    ("gi.diarrhoea", "Diarrhoea", "gastrointestinal"),
    ("gi.nausea", "Nausea", "gastrointestinal"),
    ("gi.vomiting", "Vomiting", "gastrointestinal"),
    ("gi.bloating", "Bloating", "gastrointestinal"),
    # cardiovascular
    ("cv.palpitations", "Palpitations", "cardiovascular"),
    ("cv.tachycardia", "Fast heart rate", "cardiovascular"),
    ("cv.low_blood_pressure", "Low blood pressure", "cardiovascular"),
    ("cv.light_headedness", "Light-headedness", "cardiovascular"),
    ("cv.fainting", "Fainting", "cardiovascular"),
    # respiratory
    ("resp.wheeze", "Wheeze or tight chest", "respiratory"),
    ("resp.shortness_of_breath", "Shortness of breath", "respiratory"),
    ("resp.throat_tightness", "Throat tightness", "respiratory"),
    ("resp.nasal_congestion", "Blocked or runny nose", "respiratory"),
    # musculoskeletal
    ("msk.bone_pain", "Bone pain", "musculoskeletal"),
    ("msk.muscle_pain", "Muscle pain", "musculoskeletal"),
    ("msk.joint_pain", "Joint pain", "musculoskeletal"),
    # neuro-psychological
    ("neuro.headache", "Headache", "neuropsychological"),
    ("neuro.brain_fog", "Brain fog, poor concentration", "neuropsychological"),
    ("neuro.low_mood", "Low mood", "neuropsychological"),
    ("neuro.anxiety", "Anxiety", "neuropsychological"),
    ("neuro.irritability", "Irritability", "neuropsychological"),
    ("neuro.sleep_problems", "Poor sleep", "neuropsychological"),
    # constitutional
    ("const.fatigue", "Fatigue", "constitutional"),
    ("const.weight_loss", "Weight loss", "constitutional"),
    ("const.poor_appetite", "Poor appetite", "constitutional"),
    ("const.night_sweats", "Night sweats", "constitutional"),
    ("const.fever", "Fever", "constitutional"),
]

TRIGGERS = [
    ("trigger.food.any", "Food", "food"),
    (
        "trigger.food.histamine_rich",
        "Histamine-rich food (aged cheese, cured meat, fermented)",
        "food",
    ),
    ("trigger.food.spicy", "Spicy food", "food"),
    ("trigger.food.shellfish", "Shellfish", "food"),
    ("trigger.drink.alcohol", "Alcohol", "drink"),
    ("trigger.drink.hot", "Hot drink", "drink"),
    ("trigger.temperature.heat", "Heat", "temperature"),
    ("trigger.temperature.cold", "Cold", "temperature"),
    ("trigger.temperature.change", "Sudden temperature change", "temperature"),
    ("trigger.temperature.hot_water", "Hot bath or shower", "temperature"),
    ("trigger.physical.friction", "Friction or rubbing of the skin", "physical"),
    ("trigger.physical.pressure", "Pressure on the skin", "physical"),
    ("trigger.physical.exercise", "Exercise", "physical"),
    ("trigger.emotional.stress", "Emotional stress", "emotional"),
    ("trigger.infection.any", "Infection (cold, flu, other)", "infection"),
    ("trigger.sting.bee", "Bee sting", "insect_sting"),
    ("trigger.sting.wasp", "Wasp or hornet sting", "insect_sting"),
    ("trigger.sting.other", "Other insect sting or bite", "insect_sting"),
    ("trigger.medication.nsaid", "NSAID (ibuprofen, aspirin, …)", "medication"),
    ("trigger.medication.opioid", "Opioid (codeine, morphine, …)", "medication"),
    ("trigger.medication.antibiotic", "Antibiotic", "medication"),
    ("trigger.medication.other", "Other medication", "medication"),
    ("trigger.procedure.anaesthesia", "General or local anaesthesia", "procedure"),
    ("trigger.procedure.contrast", "Contrast medium (CT, MRI, X-ray)", "procedure"),
    ("trigger.procedure.surgery", "Surgery", "procedure"),
    ("trigger.procedure.dental", "Dental procedure", "procedure"),
    ("trigger.procedure.endoscopy", "Endoscopy", "procedure"),
    ("trigger.environment.fragrance", "Fragrance or perfume", "environment"),
    ("trigger.environment.smoke", "Smoke or fumes", "environment"),
    ("trigger.environment.pollen", "Pollen, dust or animal allergens", "environment"),
    ("trigger.environment.sunlight", "Strong sunlight", "environment"),
]


def load(apps, schema_editor):
    Symptom = apps.get_model("diary", "Symptom")
    Trigger = apps.get_model("diary", "Trigger")
    for code, name, domain in SYMPTOMS:
        Symptom.objects.update_or_create(
            id=uuid.uuid5(_NAMESPACE, code),
            defaults={"code": code, "name": name, "domain": domain, "patient": None},
        )
    for code, name, category in TRIGGERS:
        Trigger.objects.update_or_create(
            id=uuid.uuid5(_NAMESPACE, code),
            defaults={"code": code, "name": name, "category": category, "patient": None},
        )


def unload(apps, schema_editor):
    apps.get_model("diary", "Symptom").objects.filter(patient__isnull=True).delete()
    apps.get_model("diary", "Trigger").objects.filter(patient__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("diary", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
