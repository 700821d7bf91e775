"""Mail as tinycrm reads it: one message into plain data (:mod:`tinycrm.mail.message`,
which reads its header fields with :mod:`~tinycrm.mail.fields`, dates it with
:mod:`~tinycrm.mail.dating`, keys it with :mod:`~tinycrm.mail.keys` and reads its text
and attachments with :mod:`~tinycrm.mail.content`), and the places messages come from
(:mod:`tinycrm.mail.sources`: Maildir folders, mbox files, single ``.eml`` files).

A domain package: it knows RFC 5322 and MIME, not the database. The store decides which
contacts a message belongs to and logs it once.
"""
