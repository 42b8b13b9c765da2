"""Date and time formats per language, where Django's own are not the ones people here use
(``settings.FORMAT_MODULE_PATH``): English is British English, day first and 24-hour
("1 June 2019", "01/06/2019 16:00"); Serbian, in both scripts, keeps Django's ("1. јун 2019.")."""
