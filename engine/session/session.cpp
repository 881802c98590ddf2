// placeholder: implemented by the session work
