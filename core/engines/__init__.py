"""Quality engines: the rule-based heuristic engine and the OpenAI-compatible LLM engine."""
