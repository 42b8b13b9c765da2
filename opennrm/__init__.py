"""OpenNRM: the information system behind a National Referral Mechanism for victims of trafficking."""
