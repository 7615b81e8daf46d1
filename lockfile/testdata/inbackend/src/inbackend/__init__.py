VALUE = "inbackend"
