# SPDX-License-Identifier: BSD-2-Clause
# Service files (dist/): the systemd units, their EnvironmentFiles, the
# sysusers.d, tmpfiles.d and logrotate snippets, and the keys directory.
# Directories: configure --with-systemdsystemunitdir, --with-sysusersdir,
# --with-tmpfilesdir, --with-logrotatedir, --with-defaultsdir (=no: not
# installed).
EXTRA_DIST += dist/uftpd.service.in dist/uftpproxyd.service.in dist/uftp-ng.tmpfiles.in \
	dist/uftpd.default dist/uftpproxyd.default dist/uftp-ng.logrotate dist/uftp-ng.sysusers \
	debian/changelog debian/control debian/copyright debian/rules debian/source/format \
	debian/uftp-ng.docs debian/uftp-ng.postinst debian/uftp-ng.postrm debian/.gitignore \
	dist/.gitignore

DIST_GENERATED = dist/uftpd.service dist/uftpproxyd.service dist/uftp-ng.tmpfiles
CLEANFILES += $(DIST_GENERATED)
noinst_DATA = $(DIST_GENERATED)

dist_edit = $(MKDIR_P) dist && sed -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@defaultsdir[@]|$(defaultsdir)|g'

dist/uftpd.service: $(srcdir)/dist/uftpd.service.in Makefile
	$(AM_V_GEN)$(dist_edit) $(srcdir)/dist/uftpd.service.in > $@.tmp && mv -f $@.tmp $@
dist/uftpproxyd.service: $(srcdir)/dist/uftpproxyd.service.in Makefile
	$(AM_V_GEN)$(dist_edit) $(srcdir)/dist/uftpproxyd.service.in > $@.tmp && mv -f $@.tmp $@
dist/uftp-ng.tmpfiles: $(srcdir)/dist/uftp-ng.tmpfiles.in Makefile
	$(AM_V_GEN)$(dist_edit) $(srcdir)/dist/uftp-ng.tmpfiles.in > $@.tmp && mv -f $@.tmp $@

if INSTALL_UNITS
systemdsystemunit_DATA = dist/uftpd.service dist/uftpproxyd.service
endif

# Snippets installed under another name; the EnvironmentFiles are
# configuration: an existing one is kept, and only an unchanged one is
# uninstalled.
install-data-local: install-dist-files
uninstall-local: uninstall-dist-files

install-dist-files:
	@for f in "$(srcdir)/dist/uftp-ng.sysusers:$(sysusersdir):uftp-ng.conf" \
	    "dist/uftp-ng.tmpfiles:$(tmpfilesdir):uftp-ng.conf" \
	    "$(srcdir)/dist/uftp-ng.logrotate:$(logrotatedir):uftp-ng"; do \
	  src=$${f%%:*}; rest=$${f#*:}; dir=$${rest%%:*}; \
	  test -n "$$dir" || continue; \
	  echo " $(INSTALL_DATA) $$src '$(DESTDIR)'$$dir/$${rest#*:}"; \
	  $(MKDIR_P) "$(DESTDIR)$$dir" && \
	  $(INSTALL_DATA) "$$src" "$(DESTDIR)$$dir/$${rest#*:}" || exit 1; \
	done
if INSTALL_DEFAULTS
	$(MKDIR_P) '$(DESTDIR)$(defaultsdir)'
	@for d in uftpd uftpproxyd; do \
	  if test -f '$(DESTDIR)$(defaultsdir)/'$$d; then \
	    echo "keeping $(DESTDIR)$(defaultsdir)/$$d"; \
	  else \
	    echo " $(INSTALL_DATA) $(srcdir)/dist/$$d.default '$(DESTDIR)$(defaultsdir)/$$d'"; \
	    $(INSTALL_DATA) $(srcdir)/dist/$$d.default '$(DESTDIR)$(defaultsdir)/'$$d || exit 1; \
	  fi; \
	done
endif
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)/uftp'
	$(INSTALL) -d -m 0700 '$(DESTDIR)$(sysconfdir)/uftp/keys'

uninstall-dist-files:
	@for f in "$(sysusersdir):uftp-ng.conf" "$(tmpfilesdir):uftp-ng.conf" \
	    "$(logrotatedir):uftp-ng"; do \
	  test -n "$${f%%:*}" || continue; \
	  echo " rm -f '$(DESTDIR)'$${f%%:*}/$${f#*:}"; rm -f "$(DESTDIR)$${f%%:*}/$${f#*:}"; \
	done
	@for d in uftpd uftpproxyd; do \
	  f='$(DESTDIR)$(defaultsdir)/'$$d; \
	  if test -f "$$f" && cmp -s "$$f" $(srcdir)/dist/$$d.default; then rm -f "$$f"; fi; \
	done
	-rmdir '$(DESTDIR)$(sysconfdir)/uftp/keys' '$(DESTDIR)$(sysconfdir)/uftp' 2>/dev/null

# The man pages name the project and version (configure's) in their footer.
install-data-hook: install-man-version
install-man-version:
	@for m in $(dist_man_MANS); do \
	  f='$(DESTDIR)$(man1dir)/'`basename $$m`; \
	  test -f "$$f" || continue; \
	  sed -e 's|@PACKAGE_STRING[@]|$(PACKAGE_STRING)|g' "$$f" > "$$f.tmp" && \
	  cat "$$f.tmp" > "$$f" && rm -f "$$f.tmp" || exit 1; \
	done

.PHONY: install-dist-files uninstall-dist-files install-man-version

# Directories in EXTRA_DIST (tests/sim, tests/fuzz, ...) are copied from the
# build directory when it has them, objects and test programs included:
# leave those out of the tarball.
dist-hook: dist-clean-build-products
dist-clean-build-products:
	@for p in $(check_PROGRAMS) $(bin_PROGRAMS) $(noinst_PROGRAMS); do \
	  rm -f "$(distdir)/$$p"; \
	done
	find '$(distdir)' \( -name '*.o' -o -name '*.a' -o -name '*.log' -o -name '*.trs' \
	  -o -name .dirstamp \) -type f -exec rm -f {} +
	find '$(distdir)' -name .deps -type d -prune -exec rm -rf {} +
.PHONY: dist-clean-build-products
