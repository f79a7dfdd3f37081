"""Nothing of the incidents app is registered in the Django admin, on purpose.

The admin role manages users, channels and configuration and gets no case
content (DESIGN.md, "Who uses it"). Reports are personal; incidents are worked
on the triage board by operators and coordinators, whose every sensitive read is
audited through ``queries.access_*``. A second, unaudited door onto the same
rows would only widen what a stolen admin password opens.
"""
