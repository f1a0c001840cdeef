# fragment: appended to by its module's owner

# ---- uftpproxyd, the proxy daemon ----
