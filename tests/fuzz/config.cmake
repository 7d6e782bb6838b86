# Configuration loaders (config/): both schemas from memory. Seeds: the shipped examples.
ad_add_fuzz(NAME fuzz_config SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_config.c LIBS ad_config
            CORPUS ${PROJECT_SOURCE_DIR}/config/examples)
