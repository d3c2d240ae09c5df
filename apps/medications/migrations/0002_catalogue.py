"""The SM treatment ladder of the product brief (seeds/001), with fixed ids so that a catalogue
entry means the same thing on every server."""

import uuid

from django.db import migrations

_NAMESPACE = uuid.UUID("0b7a4c1e-5d2f-4a8e-9c33-6e1f2a7d9b40")

# (name, class, usual route, note)
LADDER = [
    ("Cetirizine", "h1_antihistamine", "oral", "Flushing and itching"),
    ("Levocetirizine", "h1_antihistamine", "oral", "Flushing and itching"),
    ("Loratadine", "h1_antihistamine", "oral", "Flushing and itching"),
    ("Desloratadine", "h1_antihistamine", "oral", "Flushing and itching"),
    ("Fexofenadine", "h1_antihistamine", "oral", "Flushing and itching"),
    ("Hydroxyzine", "h1_antihistamine", "oral", "Sedating; often at night"),
    ("Famotidine", "h2_antihistamine", "oral", "Abdominal pain, heartburn, cramping, diarrhoea"),
    ("Cimetidine", "h2_antihistamine", "oral", "Abdominal pain, heartburn, cramping, diarrhoea"),
    ("Montelukast", "leukotriene_modifier", "oral", "When antihistamines are not enough"),
    ("Oral cromolyn sodium", "mast_cell_stabiliser", "oral", "Gastrointestinal symptoms"),
    ("Omeprazole", "ppi", "oral", "Gastrointestinal symptoms"),
    ("Esomeprazole", "ppi", "oral", "Gastrointestinal symptoms"),
    ("Pantoprazole", "ppi", "oral", "Gastrointestinal symptoms"),
    ("Prednisone", "glucocorticoid", "oral", ""),
    ("Prednisolone", "glucocorticoid", "oral", ""),
    ("Aspirin", "aspirin", "oral", "For flushing, only where NSAIDs are tolerated"),
    ("Omalizumab", "anti_ige", "subcutaneous", "Usually every 4 weeks"),
    ("Epinephrine auto-injector", "epinephrine", "intramuscular", "Carry two at all times"),
    ("Calcium", "bone", "oral", ""),
    ("Vitamin D", "bone", "oral", ""),
    ("Alendronate", "bone", "oral", "Bisphosphonate"),
    ("Zoledronic acid", "bone", "intravenous", "Bisphosphonate"),
    ("Pamidronate", "bone", "intravenous", "Bisphosphonate"),
    ("Avapritinib", "tki", "oral", "Advanced SM"),
    ("Midostaurin", "tki", "oral", "Advanced SM"),
    ("Imatinib", "tki", "oral", "When KIT D816V is absent"),
    ("Interferon-alfa", "interferon", "subcutaneous", ""),
    ("Cladribine", "cytoreductive", "intravenous", ""),
    ("Venom immunotherapy", "immunotherapy", "subcutaneous", "For venom-allergic patients"),
]


def load(apps, schema_editor):
    CatalogueDrug = apps.get_model("medications", "CatalogueDrug")
    for name, drug_class, route, note in LADDER:
        CatalogueDrug.objects.update_or_create(
            id=uuid.uuid5(_NAMESPACE, name),
            defaults={"name": name, "drug_class": drug_class, "usual_route": route, "note": note},
        )


def unload(apps, schema_editor):
    CatalogueDrug = apps.get_model("medications", "CatalogueDrug")
    CatalogueDrug.objects.filter(id__in=[uuid.uuid5(_NAMESPACE, n) for n, *_ in LADDER]).delete()


class Migration(migrations.Migration):
    dependencies = [("medications", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
