"""Handoff to trained counsellors: when a conversation must reach a human.

Issue 2 scope: the decision and the recorded request. The queue, the console and the
state transitions bot → queued → human come with the handoff issue.
"""
