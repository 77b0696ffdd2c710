# find_package(tinynet CONFIG) -> tinynet::tinynet (shared) and tinynet::tinynet_static.
# The static library needs openblas, cjson, z, m and pthread at link time; they are linked by name.
include("${CMAKE_CURRENT_LIST_DIR}/tinynetTargets.cmake")
