"""消息中心 (the message centre): every user's messages, muted kinds, and the outbound channels.

`service.notify` stores one message per recipient and queues its outbound copies;
`hooks` are the messages of the workflow's events (a push, a request for evidence, a
notice, an appeal decided, a panel drawn, a points notice), called by the service
functions that make those events, inside their transaction (the audit event stays the
record of what happened; a message only tells someone). `delivery.deliver_pending` sends
the queued copies by email (SMTP) and webhook (JSON POST), with retries and a dead letter.

The package sits just above `clues` and below `cases` (docs/architecture.md): the case
loop and the workflow stages above it both call it; it imports only the workflow base.
"""
