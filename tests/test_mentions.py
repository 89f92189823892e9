"""notes/mentions.py: where a topic's words sit in an entry (issue 18, first/last-time questions)."""

from journal_agent.notes import mentions


def _named(text: str, topic: str, heading: str = "") -> set[int]:
    forms = mentions.joined_forms(mentions.topic_terms(topic))
    return {i for _, covered in mentions.mentions_in([{"heading": heading, "search_text": text}], forms)
            for i in covered}


def test_words_written_apart_hyphenated_or_joined_are_one_topic():
    for text in ("Built TicTacToe in React.", "Built tic-tac-toe in React.", "Built Tic Tac Toe in React."):
        assert _named(text, "tic tac toe game") >= {0, 1, 2}, text


def test_what_the_learner_meant_to_do_is_no_mention():
    assert _named("I'm going to tackle Django next.", "django") == set()
    assert _named("Set up Django and its admin.", "django") == {0}
    assert _named("Ideas for later:\n- Django blog\n- Flask API", "django") == set()
    assert _named("Read about Django.", "django", heading="What I'm planning to do next") == set()
    assert _named("```\npip install django\n```\nRead a book.", "django") == set()


def test_a_term_every_entry_names_weighs_little():
    found = [[(0, frozenset({0})), (1, frozenset({1}))], [(0, frozenset({0}))], [(0, frozenset({0}))]]
    project, euler = mentions.idf_weights(found, 2)
    assert euler > project
    assert mentions.coverage(found[0], [project, euler]) == 1.0
    assert 0 < mentions.coverage(found[1], [project, euler]) < 0.5
