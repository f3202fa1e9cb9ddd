from django.core.management.base import BaseCommand

from opencity.geo.services import areas_load_city


class Command(BaseCommand):
    help = "Load the city (Thành phố Huế by default) and its wards/communes with boundaries."

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, default=46)

    def handle(self, *args, **options):
        n = areas_load_city(province_code=options["province"])
        self.stdout.write(self.style.SUCCESS(f"{n} wards/communes loaded"))
