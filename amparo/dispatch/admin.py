"""Nothing of the dispatch app is registered in the Django admin, on purpose.

Responders' names, phones and home points are personal, and coordinators work
on them through the roster, whose every read is audited through
``queries.access_*``. The admin role gets no second, unaudited door onto them.
"""
