"""E-mail: the outbox that stores and sends, the participants' notifications, the
programme's change notices and the organisers' mailings."""
