/* ww-descriptors.h: what a plugin describes (categories, form fields, info pages)
 *
 * These are small immutable records that the GUI lists in GListModels,
 * so they are final GObjects; they share one file because each is
 * little more than a handful of getters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A string in several languages, read from a JSON object such as
 * {"en": "GPs", "nl": "Huisartsen"}; English is the fallback. */
typedef struct _WwLocalized WwLocalized;

WwLocalized *ww_localized_new_from_json (JsonNode          *node,
                                         GError           **error);
WwLocalized *ww_localized_new           (const char        *english);
void         ww_localized_free          (WwLocalized       *self);
const char  *ww_localized_get           (const WwLocalized *self);
const char  *ww_localized_get_for       (const WwLocalized *self,
                                         const char        *language);
char        *ww_localized_dup_all       (const WwLocalized *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwLocalized, ww_localized_free)

/* The language the user interface speaks ("nl", "en", …); starts from the
 * locale and can be switched at run time (the kiosk does). */
const char  *ww_get_language            (void);
void         ww_set_language            (const char        *language);

#define WW_TYPE_CATEGORY (ww_category_get_type ())
G_DECLARE_FINAL_TYPE (WwCategory, ww_category, WW, CATEGORY, GObject)

WwCategory  *ww_category_new_from_json  (JsonObject        *object,
                                         GError           **error);
const char  *ww_category_get_id          (WwCategory       *self);
const char  *ww_category_get_label       (WwCategory       *self);
const char  *ww_category_get_description (WwCategory       *self);
/* every label, description and keyword in every language, for the index */
char        *ww_category_dup_search_terms (WwCategory      *self);

typedef enum {
  WW_FORM_FIELD_TEXT,
  WW_FORM_FIELD_MULTILINE,
  WW_FORM_FIELD_CHOICE,
  WW_FORM_FIELD_MULTI_CHOICE,
  WW_FORM_FIELD_PHONE,
  WW_FORM_FIELD_EMAIL,
} WwFormFieldType;

#define WW_TYPE_FORM_FIELD (ww_form_field_get_type ())
G_DECLARE_FINAL_TYPE (WwFormField, ww_form_field, WW, FORM_FIELD, GObject)

WwFormField    *ww_form_field_new_from_json   (JsonObject   *object,
                                               GError      **error);
const char     *ww_form_field_get_id          (WwFormField  *self);
WwFormFieldType ww_form_field_get_field_type  (WwFormField  *self);
const char     *ww_form_field_get_label       (WwFormField  *self);
gboolean        ww_form_field_get_required    (WwFormField  *self);
gboolean        ww_form_field_get_personal    (WwFormField  *self);
guint           ww_form_field_get_max_length  (WwFormField  *self);
guint           ww_form_field_get_n_choices   (WwFormField  *self);
const char     *ww_form_field_get_choice_id   (WwFormField  *self,
                                               guint         position);
const char     *ww_form_field_get_choice_label (WwFormField *self,
                                                guint        position);
const char     *ww_form_field_type_to_string  (WwFormFieldType type);

#define WW_TYPE_INFO_PAGE (ww_info_page_get_type ())
G_DECLARE_FINAL_TYPE (WwInfoPage, ww_info_page, WW, INFO_PAGE, GObject)

WwInfoPage  *ww_info_page_new_from_json (JsonObject *object,
                                         GError    **error);
const char  *ww_info_page_get_id        (WwInfoPage *self);
const char  *ww_info_page_get_title     (WwInfoPage *self);
const char  *ww_info_page_get_body      (WwInfoPage *self);

G_END_DECLS
