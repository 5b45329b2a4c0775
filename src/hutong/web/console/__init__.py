"""The staff console (/console): one module per page family, named by its URL
(``/console/exchange/grants`` lives in ``console/exchange/grants.py``); ``base.py`` holds what
every page shares."""
