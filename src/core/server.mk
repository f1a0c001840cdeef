# fragment: appended to by its module's owner
