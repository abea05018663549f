"""WSGI entry point: `flask --app app run` and `gunicorn app:app` find the app here."""

from tracker import create_app

app = create_app()
