"""The live classroom (issue 13): classes, students, scenes, exercises, answers and results, all
in the shared store (app/store) so that every worker and replica sees the same class.

- `codes`: join codes, tokens (hashed), nicknames;  `state`: the store layout and events;
- `service`: the actions;  `results`: dashboard numbers and CSV;  `exercises`: issue 12's API
  in both languages;  `stream`: the server-sent event stream of one class.
"""
