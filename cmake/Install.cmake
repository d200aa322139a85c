# `cmake --install` and `cpack -G DEB`: the binary (and the load-test tools), the config in
# /etc/dedupd, the systemd unit, the sysusers.d entry and the docs. Nothing is enabled.
include(GNUInstallDirs)

set(DEDUP_BIN_PATH "${CMAKE_INSTALL_FULL_BINDIR}/dedupd")
set(DEDUP_CONFIG_PATH "${CMAKE_INSTALL_FULL_SYSCONFDIR}/dedupd/dedupd.toml")
set(DEDUP_DOC_DIR "${CMAKE_INSTALL_FULL_DOCDIR}")
# Overridable with -D; by default under the prefix (Debian 12 is merged-/usr: /usr/lib/systemd).
if(NOT DEFINED DEDUP_UNIT_DIR)
  set(DEDUP_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
if(NOT DEFINED DEDUP_SYSUSERS_DIR)
  set(DEDUP_SYSUSERS_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d")
endif()
configure_file(${PROJECT_SOURCE_DIR}/deploy/dedupd.service.in
               ${PROJECT_BINARY_DIR}/deploy/dedupd.service @ONLY)

install(TARGETS dedupd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Load testing before a rollout: the embedded broker and the load generator.
install(TARGETS dedupd-devbroker RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET dedupd-loadgen)
  install(TARGETS dedupd-loadgen RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES ${PROJECT_SOURCE_DIR}/config/dedupd.toml
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/dedupd)
install(FILES ${PROJECT_BINARY_DIR}/deploy/dedupd.service DESTINATION ${DEDUP_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/deploy/dedupd.sysusers DESTINATION ${DEDUP_SYSUSERS_DIR}
        RENAME dedupd.conf)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/OPERATIONS.md
              ${PROJECT_SOURCE_DIR}/docs/QUALITY.md ${PROJECT_SOURCE_DIR}/docs/BENCHMARKS.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dedupd)
set(CPACK_PACKAGE_VENDOR "dedupd")
set(CPACK_PACKAGE_CONTACT "dedupd maintainers <dedupd-maintainers@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "near-duplicate detection for news article streams on Kafka")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "dedupd reads articles from Kafka, groups the reprints of each wire story (shingling,\n MinHash, LSH, verification) and produces canonical stories with their duplicate clusters.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the binaries' shared libraries
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser | systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
