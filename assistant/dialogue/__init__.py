"""Understanding a message in its conversation: intent, slots and what a follow-up refers to."""
