from django.db import migrations


def fill(apps, schema_editor):
    from rollups.services import rebuild_tables

    rebuild_tables(
        apps.get_model("tasks", "Occurrence"),
        apps.get_model("dashboard", "OccurrenceRollup"),
        apps.get_model("dashboard", "CompletionRollup"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("tasks", "0002_deadline_schedule"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
