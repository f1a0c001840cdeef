# fragment: appended to by its module's owner

# ---- proxy session state machine (uftpproxyd's core) ----
